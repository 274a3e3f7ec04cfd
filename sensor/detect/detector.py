"""The detector: every enabled rule on every cell, evidence combined into a judgement.

A rule that raises, or that uses more than ``slow_rule_s`` of CPU time on one cell (CPU time of
this thread, so that a machine busy with other work does not make a healthy rule "slow" and change
verdicts), is logged and skipped for that cell; after ``max_failures`` such events it is switched
off for the rest of the run (with a log line), so a broken or slow rule never stops the pipeline.
Counts are kept for the metrics.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.detect.registry import RULES
from sensor.detect.scoring import Judgement, Scoring, combine
from sensor.errors import ConfigError
from sensor.schema import read_toml

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RuleHealth:
    failures: int = 0
    slow: int = 0
    disabled: bool = False


@dataclass(slots=True)
class Detector:
    rules: list[Rule]
    scoring: Scoring = field(default_factory=Scoring)
    slow_rule_s: float = 0.25  # a rule takes microseconds; a quarter second of CPU is a broken one
    max_failures: int = 3
    health: dict[str, RuleHealth] = field(default_factory=dict)

    @classmethod
    def from_config(cls, table: dict[str, Any] | None = None) -> Detector:
        """``table`` is a rules config: ``{"rules": {id: {enabled, weight, <threshold>...}}, "scoring": {...}}``."""
        table = dict(table or {})
        rules_t = table.pop("rules", {}) or {}
        scoring_t = table.pop("scoring", {}) or {}
        if table:
            raise ConfigError(f"{sorted(table)[0]}: unknown section (known: rules, scoring)")
        if not isinstance(rules_t, dict) or not all(isinstance(v, dict) for v in rules_t.values()):
            raise ConfigError("rules: each rule's settings must be a table [rules.<id>]")
        unknown = sorted(set(rules_t) - set(RULES))
        if unknown:
            raise ConfigError(f"rules.{unknown[0]}: no such rule (known: {', '.join(RULES)})")
        rules = [cls_(rules_t.get(rid)) for rid, cls_ in RULES.items()]
        return cls([r for r in rules if r.enabled], Scoring.from_table(scoring_t))

    @classmethod
    def from_file(cls, path: str | Path | None) -> Detector:
        if path is None:
            return cls.from_config()
        try:
            return cls.from_config(read_toml(Path(path)))
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None

    def judge(self, cell: CellFacts, ctx: DetectContext) -> Judgement:
        evidence: list[Evidence] = []
        for rule in self.rules:
            h = self.health.setdefault(rule.id, RuleHealth())
            if h.disabled:
                continue
            t0 = time.thread_time()
            try:
                ev = rule.evaluate(cell, ctx)
            except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the sensor
                h.failures += 1
                log.warning("rule %s failed on %s (%s: %s); skipped", rule.id, cell.label, type(exc).__name__, exc)
                self._maybe_disable(rule.id, h)
                continue
            elapsed = time.thread_time() - t0
            if elapsed > self.slow_rule_s:
                h.slow += 1
                log.warning(
                    "rule %s took %.3f s on %s (budget %.3f s); its result is skipped",
                    rule.id,
                    elapsed,
                    cell.label,
                    self.slow_rule_s,
                )
                self._maybe_disable(rule.id, h)
                continue
            if ev is not None and ev.weight > 0:
                evidence.append(ev)
        return combine(evidence, self.scoring)

    def judge_all(self, ctx: DetectContext) -> dict[str, Judgement]:
        return {c.key: self.judge(c, ctx) for c in ctx.cells}

    def _maybe_disable(self, rule_id: str, h: RuleHealth) -> None:
        if h.failures + h.slow >= self.max_failures:
            h.disabled = True
            log.warning("rule %s switched off for this run after %d failures or overruns", rule_id, h.failures + h.slow)


def apply(obj: dict[str, Any], j: Judgement) -> dict[str, Any]:
    """Set a CONTRACT.md cell object's verdict fields from a judgement (returns the object)."""
    obj["verdict"], obj["score"], obj["reasons"] = j.verdict, j.score, j.reasons
    return obj


def detection_object(cell_obj: dict[str, Any], t_s: float | None = None) -> dict[str, Any]:
    """CONTRACT.md's detection object for a judged cell object."""
    keys = ("arfcn", "bsic", "mcc", "mnc", "lac", "cell_id", "verdict", "score", "reasons", "position")
    out = {"type": "detection", "schema": cell_obj["schema"], **{k: cell_obj.get(k) for k in keys}}
    out["t_s"] = cell_obj.get("last_t_s") if t_s is None else t_s
    return out
