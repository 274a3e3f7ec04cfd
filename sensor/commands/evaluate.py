"""``fbs-sensor evaluate``: labelled scenes through the whole pipeline; precision, recall and
false-alarm rate per rule and overall, with a confusion table (``sensor/evaluate.py``). With ``--sms``:
the SMS classifier on the labelled corpus's held-out part (``sensor/intel/classify_eval.py``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sensor.detect.detector import Detector
from sensor.detect.registry import RULES
from sensor.errors import ConfigError, InputError
from sensor.evaluate import VERDICT_COLUMNS, Report, evaluate, outcome_object
from sensor.resources import project_dir
from sensor.schema import read_toml


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def _scene_paths(args: tuple[str, ...]) -> list[Path]:
    paths: list[Path] = []
    for a in args or (str(project_dir("recordings") / "scenes" / "eval"),):
        p = Path(a)
        if p.is_dir():
            paths += sorted(x for x in p.glob("*.toml") if not x.name.startswith("base-"))
        elif p.is_file():
            paths.append(p)
        else:
            raise InputError(f"{a}: no such scene file or folder")
    if not paths:
        raise InputError("no scenes to evaluate")
    return paths


@click.command("evaluate")
@click.argument("scenes", nargs=-1, type=click.Path())
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="Detection rules config (TOML).")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default=True,
    help="Scenes evaluated in parallel.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines: one evaluation_cell per cell, then the evaluation.")
@click.option("--require-recall", type=click.FloatRange(0, 1), help="Exit 1 if overall recall is below this.")
@click.option(
    "--max-false-alarm-rate", type=click.FloatRange(0, 1), help="Exit 1 if the false-alarm rate is above this."
)
@click.option("--sms", is_flag=True, help="Score the SMS classifier on the labelled corpus's held-out part instead.")
@click.option(
    "--method",
    type=click.Choice(["rules", "model", "rules+model", "rules>model"]),
    default="rules",
    show_default=True,
    help="With --sms: the classifier measured.",
)
@click.option(
    "--cv",
    is_flag=True,
    help="With --sms: grouped cross-validation on the train split instead of the held-out part.",
)
def command(
    scenes: tuple[str, ...],
    rules_path: str | None,
    jobs: int,
    as_json: bool,
    require_recall: float | None,
    max_false_alarm_rate: float | None,
    sms: bool,
    method: str,
    cv: bool,
) -> None:
    """Run labelled SCENES (files or folders; default: the bundled library) and score the detector."""
    if sms:
        if scenes or rules_path or max_false_alarm_rate is not None:
            raise InputError("--sms takes no scenes, --rules or --max-false-alarm-rate")
        _sms(method, as_json, require_recall, cv)
        return
    paths = _scene_paths(scenes)
    table = read_toml(Path(rules_path)) if rules_path else None
    try:
        Detector.from_config(table)  # a bad rules file fails here, once, not in every worker
    except ConfigError as exc:
        raise ConfigError(f"{rules_path}: {exc}") from None
    show = sys.stderr.isatty() and not as_json
    report = evaluate(
        paths,
        table,
        jobs=min(jobs, len(paths)),
        progress=(lambda p: click.echo(f"  done {Path(p).stem}", err=True)) if show else None,
    )
    if as_json:
        for o in report.outcomes:
            click.echo(json.dumps(outcome_object(o)))
        click.echo(json.dumps({**report.summary(), "rules": report.per_rule(list(RULES))}))
    else:
        _print(report)
    failed = []
    if require_recall is not None and (report.recall or 0.0) < require_recall:
        failed.append(f"recall {_pct(report.recall)} is below {_pct(require_recall)}")
    if max_false_alarm_rate is not None and (report.false_alarm_rate or 0.0) > max_false_alarm_rate:
        failed.append(f"false-alarm rate {_pct(report.false_alarm_rate)} is above {_pct(max_false_alarm_rate)}")
    if failed:
        click.echo(f"fbs-sensor: evaluation failed: {'; '.join(failed)}", err=True)
        sys.exit(1)


def _print(report: Report) -> None:
    console = Console(width=None if sys.stdout.isatty() else 150)
    cells = Table(title="cells (truth → verdict)")
    for col in ("scene", "cell", "ARFCN", "truth", "verdict", "score", "reasons"):
        cells.add_column(col)
    for o in report.outcomes:
        wrong = (o.fake != o.alarm and o.verdict != "not heard") or (o.fake and o.verdict == "not heard")
        cells.add_row(
            o.scene,
            o.name,
            str(o.arfcn),
            "FAKE" if o.fake else "legit",
            f"[red]{o.verdict}[/]" if wrong else o.verdict,
            "-" if o.score is None else f"{o.score:.2f}",
            ", ".join(r["rule"] for r in o.reasons) or "-",
        )
    console.print(cells)
    rules = Table(title="per rule")
    for col in ("rule", "on fake", "on legit", "precision", "recall", "recall (its behaviour)", "false alarms"):
        rules.add_column(col)
    for r in report.per_rule(list(RULES)):
        rules.add_row(
            r["rule"],
            str(r["fires_on_fake"]),
            str(r["fires_on_legitimate"]),
            _pct(r["precision"]),
            _pct(r["recall"]),
            f"{_pct(r['targeted_recall'])} of {r['targeted_fakes']}",
            _pct(r["false_alarm_rate"]),
        )
    console.print(rules)
    conf = Table(title="confusion (rows: truth)")
    conf.add_column("")
    for v in VERDICT_COLUMNS:
        conf.add_column(v)
    for truth, row in report.confusion().items():
        conf.add_row(truth, *(str(row[v]) for v in VERDICT_COLUMNS))
    console.print(conf)
    s = report.summary()
    console.print(
        f"{s['scenes']} scenes, {s['fake_cells']} fake and {s['legitimate_cells']} legitimate cells heard: "
        f"precision {_pct(report.precision)}, recall {_pct(report.recall)}, "
        f"false-alarm rate {_pct(report.false_alarm_rate)}"
    )


def _sms(method: str, as_json: bool, require_recall: float | None, cv: bool = False) -> None:
    from sensor.intel.classify_eval import evaluate_sms

    if cv:
        from sensor.intel.classify_cv import cross_validate

        report = cross_validate(method)
    else:
        report = evaluate_sms(method)
    summary = report.summary()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        _print_sms(summary)
    recall = summary["macro_recall"]
    if require_recall is not None and (recall or 0.0) < require_recall:
        click.echo(
            f"fbs-sensor: evaluation failed: macro recall {_pct(recall)} is below {_pct(require_recall)}", err=True
        )
        sys.exit(1)


def _print_sms(s: dict) -> None:
    from sensor.commands.tables import _plain
    from sensor.intel.corpus import CATEGORY_ZH

    console = Console(width=None if sys.stdout.isatty() else 150)
    if s["part"] == "heldout":
        title = f"SMS classifier ({s['method']}) on the held-out part: {s['heldout']} texts, trained on {s['train']}"
    else:
        title = f"SMS classifier ({s['method']}): {s['heldout']} train texts, each scored by the folds without it"
    cats = Table(title=title)
    for col in ("category", "", "held out", "predicted", "correct", "precision", "recall"):
        cats.add_column(col)
    for r in s["categories"]:
        cats.add_row(
            r["category"],
            CATEGORY_ZH[r["category"]],
            str(r["support"]),
            str(r["predicted"]),
            str(r["correct"]),
            _pct(r["precision"]),
            _pct(r["recall"]),
        )
    console.print(cats)
    wrong = Table(title=f"misclassified ({len(s['mistakes'])})")
    for col in ("id", "truth", "verdict", "text", "reasons"):
        wrong.add_column(col)
    for m in s["mistakes"]:
        text = m["text"] if len(m["text"]) <= 60 else m["text"][:60] + "…"
        wrong.add_row(
            m["id"], m["truth"], m["verdict"], _plain(text), _plain(", ".join(r["rule"] for r in m["reasons"]))
        )
    console.print(wrong)
    console.print(
        f"macro over {', '.join(s['macro_over']) or 'no legal category'}: precision {_pct(s['macro_precision'])}, "
        f"recall {_pct(s['macro_recall'])}; accuracy {_pct(s['accuracy'])}"
    )
