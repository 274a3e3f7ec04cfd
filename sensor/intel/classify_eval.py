"""The classifier measured on the corpus's held-out part (``fbs-sensor evaluate --sms``): precision and
recall per category, their means over the five legal categories, and every text it got wrong.

Four methods are measured the same way: ``rules`` (``classify.classify``), ``model`` (the character
n-gram model trained on the train split, ``classify_model``), ``rules+model`` (the rules, and the
model's category where no rule fired at all and the model is at least ``MODEL_MIN_P`` sure) and
``rules>model`` (the rules, and the model's category where the rules leave the text as advertising or
other, or win by less than ``UNSURE_MARGIN``, and the model is at least ``MODEL_MIN_P`` sure; its
reasons then name the n-grams that decided). ``classify_cv`` compares them by grouped
cross-validation on the train split; the library's ``classify`` uses ``classify.METHOD``, the one
those figures chose.

Macro figures average the legal categories that have held-out texts; a category the method never
predicts has precision 0 there (not left out), so a silent category costs what it should.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sensor.intel.classify import OTHER_BASELINE, classify, decide, rule_scores
from sensor.intel.corpus import CATEGORIES, LEGAL_CATEGORIES, Entry, by_split, load

METHODS = ("rules", "model", "rules+model", "rules>model")
MODEL_MIN_P = 0.5
UNSURE_MARGIN = 0.5  # rules>model: a verdict whose sum beats the next by less is the rules being unsure
_MODELS: dict[tuple, Any] = {}


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    text: str
    truth: str
    verdict: str
    reasons: tuple[dict[str, Any], ...]
    source: str

    @property
    def right(self) -> bool:
        return self.truth == self.verdict


@dataclass(slots=True)
class SmsReport:
    method: str
    outcomes: list[Outcome] = field(default_factory=list)
    train_size: int = 0
    part: str = "heldout"  # what the outcomes score: the held-out part, or "train-cv" (classify_cv)

    def per_category(self) -> list[dict[str, Any]]:
        rows = []
        for c in CATEGORIES:
            support = sum(1 for o in self.outcomes if o.truth == c)
            predicted = sum(1 for o in self.outcomes if o.verdict == c)
            hits = sum(1 for o in self.outcomes if o.truth == c and o.verdict == c)
            rows.append(
                {
                    "category": c,
                    "support": support,
                    "predicted": predicted,
                    "correct": hits,
                    "precision": (hits / predicted if predicted else (None if not support else 0.0)),
                    "recall": hits / support if support else None,
                }
            )
        return rows

    def macro(self) -> tuple[float | None, float | None, list[str]]:
        """Mean precision and recall over the legal categories with held-out texts, and those categories."""
        rows = [r for r in self.per_category() if r["category"] in LEGAL_CATEGORIES and r["support"]]
        if not rows:
            return None, None, []
        p = sum(r["precision"] or 0.0 for r in rows) / len(rows)
        r_ = sum(r["recall"] for r in rows) / len(rows)
        return p, r_, [r["category"] for r in rows]

    def accuracy(self) -> float | None:
        return sum(o.right for o in self.outcomes) / len(self.outcomes) if self.outcomes else None

    def mistakes(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.right]

    def summary(self) -> dict[str, Any]:
        p, r, over = self.macro()
        return {
            "kind": "sms_evaluation",
            "method": self.method,
            "part": self.part,
            "train": self.train_size,
            "heldout": len(self.outcomes),
            "accuracy": self.accuracy(),
            "macro_precision": p,
            "macro_recall": r,
            "macro_over": over,
            "categories": self.per_category(),
            "mistakes": [
                {"id": o.id, "truth": o.truth, "verdict": o.verdict, "text": o.text, "reasons": list(o.reasons)}
                for o in self.mistakes()
            ],
        }


def classifier(
    method: str, train: list[Entry], *, min_p: float = MODEL_MIN_P, margin: float = UNSURE_MARGIN
) -> Callable[[str], tuple[str, list[dict[str, Any]]]]:
    """``text -> (category, reasons)`` for a method; the model is trained on ``train`` here.
    ``min_p`` and ``margin``: the hybrids' thresholds (``MODEL_MIN_P``, ``UNSURE_MARGIN``)."""
    if method == "rules":
        return classify
    key = tuple((e.id, e.text, e.label) for e in train)
    if key not in _MODELS:  # one fit per train split in a process (the figures of both methods)
        from sensor.intel.classify_model import train as train_model

        _MODELS.clear()
        _MODELS[key] = train_model(train)
    model = _MODELS[key]

    def by_model(text: str) -> tuple[str, list[dict[str, Any]]]:
        label, p = model.predict(text)
        grams = ", ".join(repr(g) for g in model.top_ngrams(text, label))
        return label, [
            {
                "rule": "model",
                "weight": round(p, 2),
                "detail": f"character n-gram model: {label}, p={p:.2f}, most from {grams or 'no n-gram'}",
            }
        ]

    if method == "model":
        return by_model

    def combined(text: str) -> tuple[str, list[dict[str, Any]]]:
        verdict, reasons = classify(text)
        if verdict == "other" and [r["rule"] for r in reasons] == ["no_marks"]:
            label, more = by_model(text)
            if more[0]["weight"] >= min_p:
                return label, more
        return verdict, reasons

    if method == "rules+model":
        return combined

    def hybrid(text: str) -> tuple[str, list[dict[str, Any]]]:
        fired = rule_scores(text)
        verdict, reasons = decide(fired)
        sums = sorted(
            (sum(r["weight"] for r in rs) + (OTHER_BASELINE if c == "other" else 0.0) for c, rs in fired.items()),
            reverse=True,
        )
        if verdict in ("advertising", "other") or sums[0] - sums[1] < margin:
            label, more = by_model(text)
            if label != verdict and more[0]["weight"] >= min_p:
                rules_said = f"the rules said {verdict} ({', '.join(r['rule'] for r in reasons) or 'no reason'})"
                return label, [*more, {"rule": "model_over_rules", "weight": 0.0, "detail": rules_said}]
        return verdict, reasons

    return hybrid


def evaluate_sms(method: str = "rules", entries: list[Entry] | None = None) -> SmsReport:
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    entries = load() if entries is None else entries
    train, heldout = by_split(entries, "train"), by_split(entries, "heldout")
    judge = classifier(method, train)
    report = SmsReport(method, train_size=len(train))
    for e in heldout:
        verdict, reasons = judge(e.text)
        report.outcomes.append(Outcome(e.id, e.text, e.label, verdict, tuple(reasons), e.source))
    return report
