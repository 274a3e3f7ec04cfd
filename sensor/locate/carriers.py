"""One receiver's cells (``sensor.cells.CellObservation``: a replay's or a live scan's) as the rows of
the joint power + Doppler fit (``sensor/locate/joint.py``): the suspect's power readings with the
carrier, its sd and the receiver's velocity of the frequency reading nearest each in time, and the
real cells' carrier readings. One receiver: one run (0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from sensor.cells import CellObservation, FrequencyReading
from sensor.locate.enu import enu_from_lat_lon
from sensor.locate.joint import REFERENCE_COLUMNS, SUSPECT_COLUMNS

NEAREST_S = 0.5  # a frequency reading (its bursts' mean time) this close to a power reading: the same reading


TRACK_SPAN_S = (0.5, 5.0)  # a velocity from the track: positions at least / at most this far either side


def clock_s(fr: FrequencyReading) -> float:
    """A carrier reading's time: UTC where the receiver knew it, else the scan's clock. A drive
    replayed from segments runs the scan's clock only while recording; the car moved (and the
    oscillators drifted) in the gaps too, so the velocity and the drift need the UTC time."""
    return fr.time_utc_s if fr.time_utc_s is not None else fr.t_s


def track_velocity(cells: Iterable[CellObservation]) -> Callable[[float], tuple[float, float]]:
    """The receiver's (speed_m_s, heading_deg) at a time (:func:`clock_s`) from its track's derivative,
    for positions that carry no velocity (a recorded track without speed and course): the positions
    of all ``cells``' carrier readings (one receiver) as the track; the nearest positions at least
    ``TRACK_SPAN_S[0]`` before and after, each within ``TRACK_SPAN_S[1]`` (at the track's ends the
    one nearest the time instead, the two at least ``TRACK_SPAN_S[0]`` apart); (NaN, NaN) without."""
    pts = np.array(
        [
            (fr.position["lat_deg"], fr.position["lon_deg"], clock_s(fr))
            for c in cells
            for fr in c.frequency_readings
            if fr.position and fr.position.get("lat_deg") is not None and fr.position.get("lon_deg") is not None
        ],
        dtype=np.float64,
    ).reshape(-1, 3)
    pts = pts[np.argsort(pts[:, 2], kind="stable")]
    t = pts[:, 2]
    e, n = enu_from_lat_lon(pts[:, 0], pts[:, 1], float(np.mean(pts[:, 0])), float(pts[0, 1])) if len(pts) else (t, t)
    lo, hi = TRACK_SPAN_S

    def at(ts: float) -> tuple[float, float]:
        i = int(np.searchsorted(t, ts - lo, side="right")) - 1
        j = int(np.searchsorted(t, ts + lo, side="left"))
        if i < 0 or ts - t[i] > hi:  # at the track's start: from the position nearest ts onwards
            i = int(np.searchsorted(t, ts - lo, side="left"))
        if j >= len(t) or t[j] - ts > hi:  # at its end: up to the position nearest ts
            j = int(np.searchsorted(t, ts + lo, side="right")) - 1
        if not (0 <= i < j < len(t)) or t[j] - t[i] < lo or abs(ts - t[i]) > hi or abs(t[j] - ts) > hi:
            return float("nan"), float("nan")
        ve, vn = (e[j] - e[i]) / (t[j] - t[i]), (n[j] - n[i]) / (t[j] - t[i])
        return float(np.hypot(ve, vn)), float(np.degrees(np.arctan2(ve, vn)) % 360.0)

    return at


def _velocity(pos: dict, t_s: float, track: Callable[[float], tuple[float, float]] | None) -> tuple[float, float]:
    speed, heading = pos.get("speed_m_s"), pos.get("heading_deg")
    if speed is not None and heading is not None:
        return float(speed), float(heading)
    if speed is not None and float(speed) == 0.0:
        return 0.0, float("nan")
    return track(t_s) if track is not None else (float("nan"), float("nan"))


def suspect_rows(cell: CellObservation, track: Callable[[float], tuple[float, float]] | None = None) -> np.ndarray:
    """``locate_joint`` rows of ``cell``: every positioned power reading; those within ``NEAREST_S``
    of a frequency reading carry its carrier, sd and the velocity then (NaN otherwise): the
    position's own, else ``track``'s (:func:`track_velocity`); their time is the carrier reading's
    :func:`clock_s` (what the fit's drift walks are timed by: it reads the time of those rows only)."""
    out = np.full((len(cell.readings), len(SUSPECT_COLUMNS)), np.nan)
    if not len(out):
        return out
    out[:, :4] = np.array(cell.readings, dtype=np.float64)
    out[:, 4] = 1.0
    out[:, 9] = 0.0
    t = out[:, 3]
    for fr in cell.frequency_readings:
        pos = fr.position or {}
        i = int(np.argmin(np.abs(t - fr.t_s)))
        if abs(t[i] - fr.t_s) <= NEAREST_S:
            out[i, 3] = clock_s(fr)
            out[i, 5:9] = (fr.freq_hz, fr.freq_sd_hz, *_velocity(pos, clock_s(fr), track))
    return out


def reference_rows(
    cells: Iterable[CellObservation], track: Callable[[float], tuple[float, float]] | None = None
) -> np.ndarray:
    """``locate_joint`` reference rows of the real ``cells``: their positioned carrier readings (the
    velocity as :func:`suspect_rows` takes it)."""
    out = []
    for j, c in enumerate(cells):
        for fr in c.frequency_readings:
            pos = fr.position or {}
            if pos.get("lat_deg") is None or pos.get("lon_deg") is None:
                continue
            speed, heading = _velocity(pos, clock_s(fr), track)
            out.append(
                (pos["lat_deg"], pos["lon_deg"], clock_s(fr), fr.freq_hz, fr.freq_sd_hz, speed, heading, 0.0, float(j))
            )
    return np.array(out, dtype=np.float64).reshape(-1, len(REFERENCE_COLUMNS) + 1)


HEARD_GAP_S = 2.0  # the suspect unheard for this long on a tuning covering it: a censored reading
BAND_SHARE = 0.8  # of a tuning's sample rate that its channelizer decodes


def missed_rows(
    cell: CellObservation, others: Iterable[CellObservation], tunings: Iterable[tuple[float, float, float, float]]
) -> np.ndarray:
    """``locate_joint`` censored rows ("searched, not heard") of ``cell``: where another cell was read
    (its position and time) on a tuning ``(center_hz, sample_rate_hz, t_start_s, t_end_s)`` that covered
    ``cell``'s carrier, more than ``HEARD_GAP_S`` from any reading of ``cell``, one per second; the
    sensitivity is the weakest power any cell was read at."""
    f = cell.downlink_hz
    others = [c for c in others if c is not cell and c.readings]
    if f is None or not others:
        return np.empty((0, 4))
    spans = [(t0, t1) for c_hz, rate, t0, t1 in tunings if abs(f - c_hz) <= BAND_SHARE * rate / 2]
    heard = np.sort(np.array([r[3] for r in cell.readings], dtype=np.float64))
    rows = np.array([r for c in others for r in c.readings], dtype=np.float64)
    floor = float(min(rows[:, 2].min(), min((r[2] for r in cell.readings), default=np.inf)))
    t = rows[:, 3]
    inside = np.zeros(len(rows), dtype=bool)
    for t0, t1 in spans:
        inside |= (t >= t0) & (t <= t1)
    if len(heard):
        i = np.clip(np.searchsorted(heard, t), 1, len(heard) - 1) if len(heard) > 1 else np.zeros(len(t), int)
        gap = np.minimum(np.abs(t - heard[i]), np.abs(t - heard[np.maximum(i - 1, 0)]))
        inside &= gap > HEARD_GAP_S
    rows = rows[inside]
    _, first = np.unique(np.floor(rows[:, 3]), return_index=True)
    rows = rows[first]
    return np.column_stack((rows[:, 0], rows[:, 1], rows[:, 3], np.full(len(rows), floor)))
