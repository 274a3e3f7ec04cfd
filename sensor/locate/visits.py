"""The receiver's output as the joint fit's rows, one way for a replay and for the live daemon.

A *visit* is one dwell of the receiver on one tuning (a scan visit live, a recording replayed). What
one cell measured on one visit is one :class:`VisitReading` (:func:`visit_reading`, from the cell's
``CellObservation`` and the visit's span): the mean power of its power readings, the position of the
last, the carrier of its FCCH readings combined with their velocity, the visit's time on the UTC
clock, and the ARFCNs the visit searched. The daemon publishes exactly these numbers as its
observation (``sensor/daemon/runner.py``), the collector reads them back (``Transmitter.locate``)
and a replay forms them from its recordings' spans (``sensor/replay.py``'s ``located``); the fit's
rows (:func:`joint_inputs`, :func:`power_readings`) are then formed from visit readings alone, so a
drive gives the same rows replayed as live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sensor.cells import FCCH_COHERENT_SYSTEMATIC_HZ, FCCH_SYSTEMATIC_HZ, CellObservation, FrequencyReading
from sensor.locate.enu import enu_from_lat_lon
from sensor.locate.observations import Reading as PowerReading

# the fit's row widths (``joint.SUSPECT_COLUMNS``, ``REFERENCE_COLUMNS`` + the cell id,
# ``MISSED_COLUMNS``; tests/locate/test_visits.py checks them): ``sensor.locate.joint`` imports scipy
# (0.9 s), which a daemon forming its observations (:func:`visit_reading`) never needs
SUSPECT_WIDTH, REFERENCE_WIDTH, MISSED_WIDTH = 10, 9, 4

BAND_SHARE = 0.8  # of a tuning's sample rate that its channelizer decodes (what a replayed recording searched)
TRACK_SPAN_S = (0.5, 5.0)  # a velocity from the track: positions at least / at most this far either side


@dataclass(frozen=True, slots=True)
class VisitReading:
    """One cell's reading on one visit: ``power_db`` in the unit its receiver measured (dBFS, or dBm
    when calibrated), ``time_s`` on the UTC clock where known, the carrier and velocity NaN where
    unknown, ``receiver`` the sensor (its own oscillator: one run of the drift model), ``searched``
    the ARFCNs its visit searched."""

    lat_deg: float
    lon_deg: float
    power_db: float
    time_s: float
    freq_hz: float = float("nan")
    freq_sd_hz: float = float("nan")
    speed_m_s: float = float("nan")
    heading_deg: float = float("nan")
    receiver: str = ""
    searched: tuple[int, ...] = ()

    @property
    def visit(self) -> tuple[str, float]:
        return self.receiver, round(self.time_s, 3)


def combined_carrier(readings: Sequence[FrequencyReading]) -> tuple[float, float, float] | None:
    """(freq_hz, freq_sd_hz, index of the reading nearest their weighted time) of carrier readings
    on one visit: their mean weighted by each one's own error (the Doppler hardly moves within a visit's
    second or two); None without any. Each reading's sd is its bursts' spread over √n with
    ``cells.FCCH_SYSTEMATIC_HZ`` in quadrature (``FCCH_COHERENT_SYSTEMATIC_HZ`` for one measured from
    its bursts' phases), an error all the bursts of a reading share: it is not averaged down across
    the readings of one visit either (their errors may share it), only the rest is."""
    good = [fr for fr in readings if np.isfinite(fr.freq_hz) and fr.freq_sd_hz > 0]
    if not good:
        return None
    sd = np.array([fr.freq_sd_hz for fr in good])
    floors = [FCCH_COHERENT_SYSTEMATIC_HZ if fr.coherent else FCCH_SYSTEMATIC_HZ for fr in good]
    shared = min(min(floors), float(sd.min()))
    w = 1.0 / np.maximum(sd**2 - shared**2, 1e-6)  # each reading's own part: the weights of the mean
    f = np.array([fr.freq_hz for fr in good])
    t = np.array([fr.t_s for fr in good])
    mid = int(np.argmin(np.abs(t - float(w @ t / w.sum()))))
    return float(w @ f / w.sum()), float(np.sqrt(1.0 / w.sum() + shared**2)), float(readings.index(good[mid]))


def utc_offset_s(cells: Iterable[CellObservation], t0_s: float, t1_s: float) -> float | None:
    """UTC minus the receiver's clock during a visit ``[t0_s, t1_s]`` (one recording, one tuning:
    one offset), from any carrier reading in it that knew its UTC time; None without."""
    for c in cells:
        for fr in c.frequency_readings:
            if t0_s <= fr.t_s <= t1_s and fr.time_utc_s is not None:
                return fr.time_utc_s - fr.t_s
    return None


def _velocity(fr: FrequencyReading) -> tuple[float, float]:
    """The GPS's (speed_m_s, heading_deg) at a carrier reading: (0, NaN) parked, NaN unknown."""
    pos = fr.position or {}
    speed, heading = pos.get("speed_m_s"), pos.get("heading_deg")
    if speed is not None and heading is not None:
        return float(speed), float(heading)
    if speed is not None and float(speed) == 0.0:
        return 0.0, float("nan")
    return float("nan"), float("nan")


def visit_reading(
    cell: CellObservation,
    t0_s: float,
    t1_s: float,
    *,
    offset_s: float | None,
    receiver: str = "",
    searched: tuple[int, ...] = (),
) -> VisitReading | None:
    """What ``cell`` measured on the visit ``[t0_s, t1_s]`` (the receiver's clock; ``offset_s`` to
    UTC, :func:`utc_offset_s`): the linear mean of its power readings in it, at the last one's
    position; the carrier of its carrier readings in it (:func:`combined_carrier`), with the GPS's
    velocity at the one nearest their time (NaN where it gave none: :func:`with_track_velocity`
    fills it in). Its time is the visit's middle, the same for every cell read on the visit (what
    tells a visit that did not hear a suspect, :func:`missed_rows`; the oscillators drift far too
    slowly for the second between it and the carrier's own time to matter). None when the cell has
    no positioned power reading in the visit."""
    rs = [r for r in cell.readings if t0_s <= r[3] <= t1_s]
    if not rs:
        return None
    p = np.array([r[2] for r in rs], dtype=np.float64)
    power = float(10.0 * np.log10(np.mean(10.0 ** (p / 10.0))))
    lat, lon = rs[-1][:2]
    shift = 0.0 if offset_s is None else offset_s
    when = (t0_s + t1_s) / 2 + shift
    frs = [fr for fr in cell.frequency_readings if t0_s <= fr.t_s <= t1_s]
    carrier = combined_carrier(frs)
    if carrier is None:
        return VisitReading(lat, lon, power, when, receiver=receiver, searched=searched)
    fr = frs[int(carrier[2])]
    speed, heading = _velocity(fr)
    return VisitReading(lat, lon, power, when, carrier[0], carrier[1], speed, heading, receiver, searched)


Track = Callable[[float, str], tuple[float, float]]  # (time_s, receiver) → (speed_m_s, heading_deg)


def track_velocity(readings: Iterable[VisitReading]) -> Track:
    """A receiver's (speed_m_s, heading_deg) at a time from its track's derivative, for readings whose
    GPS gave no velocity (a recorded track without speed and course, a receiver without one): the
    positions of all the receiver's ``readings`` (every cell's) as its track; the nearest positions
    at least ``TRACK_SPAN_S[0]`` before and after, each within ``TRACK_SPAN_S[1]`` (at the track's
    ends the one nearest the time instead, the two at least ``TRACK_SPAN_S[0]`` apart); (NaN, NaN)
    without."""
    by: dict[str, list[tuple[float, float, float]]] = {}
    for r in readings:
        if np.isfinite(r.lat_deg) and np.isfinite(r.lon_deg):
            by.setdefault(r.receiver, []).append((r.lat_deg, r.lon_deg, r.time_s))
    tracks = {}
    for name, pts in by.items():
        a = np.array(sorted(set(pts), key=lambda p: p[2]), dtype=np.float64)
        e, n = enu_from_lat_lon(a[:, 0], a[:, 1], float(np.mean(a[:, 0])), float(a[0, 1]))
        tracks[name] = (a[:, 2], e, n)
    lo, hi = TRACK_SPAN_S
    unknown = (float("nan"), float("nan"))

    def at(ts: float, receiver: str) -> tuple[float, float]:
        if receiver not in tracks:
            return unknown
        t, e, n = tracks[receiver]
        i = int(np.searchsorted(t, ts - lo, side="right")) - 1
        j = int(np.searchsorted(t, ts + lo, side="left"))
        if i < 0 or ts - t[i] > hi:  # at the track's start: from the position nearest ts onwards
            i = int(np.searchsorted(t, ts - lo, side="left"))
        if j >= len(t) or t[j] - ts > hi:  # at its end: up to the position nearest ts
            j = int(np.searchsorted(t, ts + lo, side="right")) - 1
        if not (0 <= i < j < len(t)) or t[j] - t[i] < lo or abs(ts - t[i]) > hi or abs(t[j] - ts) > hi:
            return unknown
        ve, vn = (e[j] - e[i]) / (t[j] - t[i]), (n[j] - n[i]) / (t[j] - t[i])
        return float(np.hypot(ve, vn)), float(np.degrees(np.arctan2(ve, vn)) % 360.0)

    return at


def with_track_velocity(
    readings: Sequence[VisitReading], track: Callable[[float, str], tuple[float, float]]
) -> list[VisitReading]:
    """``readings`` with the carrier readings that have no velocity given ``track``'s."""
    out = []
    for r in readings:
        if np.isfinite(r.freq_hz) and np.isnan(r.speed_m_s):
            speed, heading = track(r.time_s, r.receiver)
            r = replace(r, speed_m_s=speed, heading_deg=heading)
        out.append(r)
    return out


def _runs(readings: Iterable[VisitReading]) -> dict[str, int]:
    """One receiver run per sensor (its own oscillator), numbered in name order."""
    return {name: i for i, name in enumerate(sorted({r.receiver for r in readings}))}


def _once(readings: Iterable[VisitReading]) -> list[VisitReading]:
    """One positioned reading per visit (a detection repeats its observation's), the first."""
    seen: set[tuple[str, float]] = set()
    out = []
    for r in readings:
        if r.visit not in seen and np.isfinite(r.lat_deg) and np.isfinite(r.lon_deg):
            seen.add(r.visit)
            out.append(r)
    return out


def suspect_rows(own: Iterable[VisitReading]) -> np.ndarray:
    """``locate_joint`` rows (``joint.SUSPECT_COLUMNS``) of a transmitter's visit readings."""
    rs = [r for r in _once(own) if np.isfinite(r.power_db)]
    runs = _runs(rs)
    out = [
        (r.lat_deg, r.lon_deg, r.power_db, r.time_s, 1.0, r.freq_hz, r.freq_sd_hz, r.speed_m_s, r.heading_deg,
         runs[r.receiver])
        for r in rs
    ]  # fmt: skip
    return np.array(out, dtype=np.float64).reshape(-1, SUSPECT_WIDTH)


def reference_rows(own: Iterable[VisitReading], cells: Iterable[Iterable[VisitReading]]) -> np.ndarray:
    """``locate_joint`` reference rows: the carrier readings of the real ``cells`` (each one cell's
    visit readings) by the receivers that read ``own``, numbered as :func:`suspect_rows` numbers
    them; the cell's place in ``cells`` as its id."""
    runs = _runs(r for r in _once(own) if np.isfinite(r.power_db))
    out = [
        (r.lat_deg, r.lon_deg, r.time_s, r.freq_hz, r.freq_sd_hz, r.speed_m_s, r.heading_deg, runs[r.receiver], j)
        for j, rs in enumerate(cells)
        for r in _once(rs)
        if r.receiver in runs and np.isfinite(r.freq_hz)
    ]
    return np.array(out, dtype=np.float64).reshape(-1, REFERENCE_WIDTH)


def missed_rows(arfcn: int, own: Iterable[VisitReading], others: Iterable[VisitReading]) -> np.ndarray:
    """Censored readings (``joint.MISSED_COLUMNS``): visits of ``own``'s receivers that searched
    ``arfcn`` (another cell's reading from the visit lists it) and read nothing of the transmitter,
    at that reading's position and time; the sensitivity is the weakest power the receiver read
    anything at. Band-blind: an ARFCN number shared by two bands counts for both."""
    mine = _once(own)
    heard = {r.visit for r in mine}
    receivers = {r.receiver for r in mine if np.isfinite(r.power_db)}
    rest = [r for r in _once(others) if r.receiver in receivers]
    floor: dict[str, float] = {}
    for r in [*mine, *rest]:
        if np.isfinite(r.power_db):
            floor[r.receiver] = min(floor.get(r.receiver, r.power_db), r.power_db)
    out: dict[tuple[str, float], tuple[float, float, float, float]] = {}
    for r in rest:
        if r.visit in heard or r.visit in out or arfcn not in r.searched or r.receiver not in floor:
            continue
        out[r.visit] = (r.lat_deg, r.lon_deg, r.time_s, floor[r.receiver])
    return np.array(list(out.values()), dtype=np.float64).reshape(-1, MISSED_WIDTH)


def joint_inputs(
    arfcn: int,
    own: Sequence[VisitReading],
    references: Sequence[Sequence[VisitReading]],
    others: Sequence[VisitReading],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``locate_joint``'s (rows, reference rows, censored rows) of the transmitter on ``arfcn`` read
    as ``own``, with the real cells' readings ``references`` and every other cell's ``others``; a
    carrier reading without the GPS's velocity takes its receiver's track's (:func:`track_velocity`
    over every reading given)."""
    track = track_velocity([*own, *others, *(r for rs in references for r in rs)])
    refs = [with_track_velocity(rs, track) for rs in references]
    own = with_track_velocity(own, track)
    return suspect_rows(own), reference_rows(own, refs), missed_rows(arfcn, own, others)


def power_readings(own: Iterable[VisitReading]) -> list[PowerReading]:
    """The power-only fit's readings (a parked sensor: ``sensor/locate/reference.py``)."""
    return [PowerReading(r.lat_deg, r.lon_deg, r.power_db, r.time_s) for r in _once(own) if np.isfinite(r.power_db)]
