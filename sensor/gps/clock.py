"""How far the laptop clock is from GPS time, measured from the fixes as they arrive.

Each live fix gives one sample: ``received_utc_s − time_utc_s``, the laptop's clock at reception
minus the GPS time of the solution. That is the laptop's clock error plus the receiver's output
latency (typically 0.05–0.5 s: the solution is computed, then sent at the port's baud rate). The
median over a window of recent samples is robust to the occasional late read (a loaded machine,
a USB hiccup); the median absolute deviation says how steady it is.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClockOffsetEstimate:
    offset_s: float  # median of received_utc_s − time_utc_s: laptop ahead of GPS when positive
    spread_s: float  # median absolute deviation of the samples
    samples: int


class ClockOffset:
    def __init__(self, window: int = 120) -> None:
        self._samples: deque[float] = deque(maxlen=window)

    def add(self, received_utc_s: float | None, gps_time_utc_s: float | None) -> None:
        if received_utc_s is None or gps_time_utc_s is None:
            return
        self._samples.append(received_utc_s - gps_time_utc_s)

    @property
    def samples(self) -> int:
        return len(self._samples)

    def estimate(self) -> ClockOffsetEstimate | None:
        """The current estimate, or None before any live fix."""
        if not self._samples:
            return None
        values = list(self._samples)
        median = statistics.median(values)
        spread = statistics.median(abs(v - median) for v in values)
        return ClockOffsetEstimate(offset_s=median, spread_s=spread, samples=len(values))

    @property
    def offset_s(self) -> float | None:
        est = self.estimate()
        return None if est is None else est.offset_s
