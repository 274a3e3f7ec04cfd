"""Evidence → score in [0, 1] → verdict, as CONTRACT.md's cell object carries them.

The score combines independent pieces of evidence like independent chances that the cell is fake
(noisy-OR: 1 − Π(1 − wᵢ)): two rules at 0.5 give 0.75, one rule never exceeds its own weight.
``fake`` needs the score at ``fake_at`` AND at least one strong piece of evidence: weak rules alone
(a cell missing from a reference database, a strength anomaly) never make "fake" — their score is
held just below ``fake_at``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sensor.detect.evidence import Evidence
from sensor.errors import ConfigError

VERDICTS = ("normal", "suspicious", "fake")


@dataclass(frozen=True, slots=True)
class Scoring:
    suspicious_at: float = 0.5
    fake_at: float = 0.75

    def __post_init__(self) -> None:
        if not 0.0 < self.suspicious_at < self.fake_at <= 1.0:
            raise ConfigError("scoring: need 0 < suspicious_at < fake_at <= 1")

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> Scoring:
        unknown = set(table) - {"suspicious_at", "fake_at"}
        if unknown:
            raise ConfigError(f"scoring.{sorted(unknown)[0]}: unknown setting (known: suspicious_at, fake_at)")
        for k, v in table.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ConfigError(f"scoring.{k}: must be a number")
        return cls(**{k: float(v) for k, v in table.items()})


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: str = "normal"
    score: float = 0.0
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return [e.reason() for e in self.evidence]


def combine(evidence: Sequence[Evidence], scoring: Scoring = Scoring()) -> Judgement:
    ev = tuple(sorted(evidence, key=lambda e: -e.weight))
    score = 1.0 - math.prod(1.0 - e.weight for e in ev)
    strong = any(e.strong for e in ev)
    if score >= scoring.fake_at and not strong:
        score = math.nextafter(scoring.fake_at, 0.0)
    if score >= scoring.fake_at:
        verdict = "fake"
    elif score >= scoring.suspicious_at:
        verdict = "suspicious"
    else:
        verdict = "normal"
    # Rounded to 3 decimals, but never across a threshold: the printed score agrees with the verdict.
    bands = {
        "normal": (0.0, scoring.suspicious_at - 0.001),
        "suspicious": (scoring.suspicious_at, scoring.fake_at - 0.001),
        "fake": (scoring.fake_at, 1.0),
    }
    lo, hi = bands[verdict]
    return Judgement(verdict, min(max(round(score, 3), lo), hi), ev)
