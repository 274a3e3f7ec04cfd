"""Grouped cross-validation of the SMS classifier's methods on the corpus's train split only
(``fbs-sensor evaluate --sms --cv``): how a method is chosen without looking at the held-out part.

The train texts are cut into ``FOLDS`` folds by their split group (:func:`.corpus.split_group`: an
article's variants, a data set's template), so a campaign's copies are never on both sides of a fold;
the groups are dealt to the folds in a seeded shuffle, each fold taking the next group while it is
the smallest. Every method is fitted on the other folds (the model; the rules are fixed tables and
need no fit) and scored on the fold left out; the out-of-fold verdicts of all folds are scored
together like the held-out part (:class:`.classify_eval.SmsReport`).

The rules' figures here are optimistic: their phrase tables were written from these very train
texts' errors. The model's and the hybrids' are not (the model never sees the fold it is scored on).
"""

from __future__ import annotations

import random
from collections import defaultdict

from sensor.intel.classify_eval import METHODS, Outcome, SmsReport, classifier
from sensor.intel.corpus import Entry, by_split, load, split_group

FOLDS = 5
CV_SEED = 23


def folds(entries: list[Entry], k: int = FOLDS, seed: int = CV_SEED) -> list[list[Entry]]:
    """``entries`` cut into ``k`` folds of whole split groups, as even in size as the groups allow."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        groups[split_group(e)].append(e)
    keys = sorted(groups)
    random.Random(f"{seed}:cv").shuffle(keys)
    out: list[list[Entry]] = [[] for _ in range(k)]
    for key in keys:
        min(out, key=len).extend(groups[key])
    return out


def cross_validate(method: str, entries: list[Entry] | None = None, k: int = FOLDS) -> SmsReport:
    """The method's out-of-fold verdicts over the train split, as one report."""
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    train = by_split(load() if entries is None else entries, "train")
    parts = folds(train, k)
    report = SmsReport(f"{method}, {k}-fold grouped CV", train_size=len(train), part="train-cv")
    for i, held in enumerate(parts):
        fit = [e for j, p in enumerate(parts) if j != i for e in p]
        judge = classifier(method, fit)
        for e in held:
            verdict, reasons = judge(e.text)
            report.outcomes.append(Outcome(e.id, e.text, e.label, verdict, tuple(reasons), e.source))
    report.outcomes.sort(key=lambda o: o.id)
    return report
