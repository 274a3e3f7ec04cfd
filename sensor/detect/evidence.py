"""What a rule says about a cell, and the interface every rule implements.

A rule has a stable id (it appears in published detections and in the rules config, so it is
never renamed), a default weight in (0, 1), whether it is enabled by default, and whether it is
*strong*: evidence that can by itself push a verdict to "fake" (a cloned identity, a cheap clock).
Weak rules (a cell missing from a reference database, a strength anomaly) can raise suspicion but
never make "fake" on their own (``scoring.py``).

``evaluate`` returns ``None`` when the rule does not fire *or cannot judge* (its facts are
unknown): a cell whose SI2 has not been received has no neighbour list, which is not an empty one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sensor.errors import ConfigError

if TYPE_CHECKING:
    from sensor.detect.context import CellFacts, DetectContext


@dataclass(frozen=True, slots=True)
class Evidence:
    rule: str
    weight: float  # in [0, 1]: this evidence alone would make the score this high
    detail: str  # one sentence a field officer understands
    strong: bool = False

    def reason(self) -> dict[str, Any]:
        """CONTRACT.md's reason object."""
        return {"rule": self.rule, "weight": round(self.weight, 3), "detail": self.detail}


class Rule(ABC):
    """Subclasses set the class attributes and implement ``evaluate``.

    ``thresholds`` are the rule's tunables with their defaults; a rules config (``settings.py``)
    may override any of them, the weight, and ``enabled``; an unknown key is a config error.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    weight: ClassVar[float]
    strong: ClassVar[bool] = False
    enabled_by_default: ClassVar[bool] = True
    thresholds: ClassVar[dict[str, float]] = {}

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        self.t = dict(self.thresholds)
        self.w = self.weight
        self.enabled = self.enabled_by_default
        for key, value in (overrides or {}).items():
            if key == "weight":
                if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                    raise ConfigError(f"rules.{self.id}.weight: must be a number from 0 to 1")
                self.w = float(value)
            elif key == "enabled":
                if not isinstance(value, bool):
                    raise ConfigError(f"rules.{self.id}.enabled: must be true or false")
                self.enabled = value
            elif key in self.t:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ConfigError(f"rules.{self.id}.{key}: must be a number")
                self.t[key] = float(value)
            else:
                known = ", ".join(["enabled", "weight", *self.t])
                raise ConfigError(f"rules.{self.id}.{key}: unknown setting (known: {known})")

    def evidence(self, detail: str, scale: float = 1.0, *, strong: bool | None = None) -> Evidence:
        """Evidence at this rule's weight, scaled by how far past the threshold the cell is;
        ``strong=False`` marks the weak form of a strong rule (a rural cell's single neighbour)."""
        return Evidence(self.id, max(0.0, min(1.0, self.w * scale)), detail, self.strong if strong is None else strong)

    @abstractmethod
    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None: ...
