"""The phones around a fake station, as a seeded population: who comes within its reach, who follows
its lure, and what each one is (IMSI, TMSI or none, IMEI) and does first (its random access).

Arrivals are a Poisson process of ``rate_per_s`` phones per second within ``reach_m`` of the fake
(court records: ~1 phone a second in a busy street, 11,619 phones in 3.5 h near one hotel). A phone
follows the lure when the fake's C2 beats the best real cell's by more than the reselection
hysteresis (TS 45.008 §6.6.2: a cell of another location area must be better by
CELL_RESELECT_HYSTERESIS): C2 = received level + CELL_RESELECT_OFFSET (§6.4, with PENALTY_TIME
31 the offset is subtracted). Each level is the path-loss model's mean at the phone's place plus
independent shadowing, so the share that follows falls off with distance; a scene may instead give
``lure_share`` outright.

A lured phone performs a location update (the fake's LAC differs from its network's), so its
random access (TS 44.018 §9.1.8) carries the establishment cause "location updating": 0000xxxx
with NECI 1, 000xxxxx with NECI 0 (DESIGN.md), the rest of the octet random; the downlink's
Request Reference echoes that RA and the access FN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sensor.sim.propagation import EARTH_RADIUS_M, PathLossModel, distance_m

# TS 44.018 §9.1.8 Table 9.1.8.1: establishment cause "location updating" leaves the low bits random
LU_CAUSE_RANDOM_BITS = {True: 4, False: 5}  # NECI → random bits of the RA octet
# TS 23.003 §6.2.1: TAC (8 digits) + serial number (6) + check digit (Luhn)
IMEI_BODY_DIGITS = 14
MSIN_DIGITS = 10  # TS 23.003 §2.2: MCC + MNC + MSIN, 15 digits at most; Chinese operators: 3 + 2 + 10


@dataclass(frozen=True, slots=True)
class Phone:
    """One phone that came within reach of the fake and followed it."""

    index: int  # 0, 1, ... in order of arrival
    arrival_s: float  # its random access, seconds from the scene's start
    imsi: str  # 15 digits
    tmsi: int | None  # what it shows in its location update (None: it shows its IMSI)
    imei: str  # 15 digits, Luhn check digit last
    ra: int  # the random access octet (TS 44.018 §9.1.8)
    distance_m: float | None  # from the fake; None where the scene has no positions


def luhn_digit(body: str) -> str:
    """The Luhn check digit of a digit string (TS 23.003 §6.2.1 Annex B for the IMEI)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def lure_probability(margin_db: np.ndarray, shadowing_sigma_db: float) -> np.ndarray:
    """P(C2_fake + X1 > C2_real + hysteresis + X2) with independent shadowing X1, X2 ~ N(0, σ²), given
    ``margin_db`` = mean C2_fake − mean C2_real − hysteresis."""
    scale = shadowing_sigma_db * math.sqrt(2.0)
    if scale <= 0:
        return (np.asarray(margin_db) > 0).astype(np.float64)
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(margin_db, np.float64) / (scale * math.sqrt(2.0))))


def offset_points(lat_deg: float, lon_deg: float, r_m: np.ndarray, bearing_rad: np.ndarray) -> np.ndarray:
    """(lat, lon) rows at distances ``r_m`` and bearings from a point (flat earth: reach is a few hundred m)."""
    north, east = r_m * np.cos(bearing_rad), r_m * np.sin(bearing_rad)
    lat = lat_deg + np.degrees(north / EARTH_RADIUS_M)
    lon = lon_deg + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(lat_deg))))
    return np.column_stack([lat, lon])


@dataclass(frozen=True, slots=True)
class LureGeometry:
    """What the lure depends on: the fake's and the real cells' transmit power and place, C2 terms."""

    fake_position: tuple[float, float]
    fake_tx_dbm: float
    fake_c2_offset_db: float  # + CRO, or − CRO with PENALTY_TIME 31
    real: tuple[tuple[tuple[float, float], float, float], ...]  # (position, tx dBm, C2 offset dB) per cell
    hysteresis_db: float
    model: PathLossModel

    def probability(self, points: np.ndarray) -> np.ndarray:
        """The chance that a phone at each (lat, lon) row follows the fake."""
        loss = self.model.mean_loss_db
        fake = self.fake_tx_dbm - loss(distance_m(*self.fake_position, points[:, 0], points[:, 1]))
        fake = fake + self.fake_c2_offset_db
        if not self.real:
            return np.ones(len(points))
        real = np.max(
            [tx - loss(distance_m(*pos, points[:, 0], points[:, 1])) + off for pos, tx, off in self.real], axis=0
        )
        return lure_probability(fake - real - self.hysteresis_db, self.model.shadowing_sigma_db)


def arrivals(
    *,
    rate_per_s: float,
    duration_s: float,
    start_s: float,
    rng: np.random.Generator,
    mcc: str,
    mnc: str,
    tmsi_share: float,
    neci: bool,
    reach_m: float,
    lure_share: float | None,
    geometry: LureGeometry | None,
) -> list[Phone]:
    """The phones that reach the fake between ``start_s`` and ``start_s + duration_s`` and follow it,
    in order of arrival. ``lure_share`` given: that share follows wherever it stands; else the
    geometry decides for each phone at a uniformly drawn place within ``reach_m``."""
    if rate_per_s <= 0 or duration_s <= 0:
        return []
    n = int(rng.poisson(rate_per_s * duration_s))
    times = np.sort(rng.uniform(start_s, start_s + duration_s, n))
    r_m = reach_m * np.sqrt(rng.uniform(0.0, 1.0, n))  # uniform over the disc
    bearing = rng.uniform(0.0, 2 * math.pi, n)
    if lure_share is not None:
        follows = rng.uniform(0.0, 1.0, n) < lure_share
    elif geometry is not None:
        points = offset_points(*geometry.fake_position, r_m, bearing)
        follows = rng.uniform(0.0, 1.0, n) < geometry.probability(points)
    else:
        follows = np.ones(n, bool)
    out: list[Phone] = []
    random_bits = LU_CAUSE_RANDOM_BITS[neci]
    for t, r, ok in zip(times.tolist(), r_m.tolist(), follows.tolist(), strict=True):
        if not ok:
            continue
        msin = "".join(str(d) for d in rng.integers(0, 10, MSIN_DIGITS - (len(mnc) - 2)))
        body = "".join(str(d) for d in rng.integers(0, 10, IMEI_BODY_DIGITS))
        shows_tmsi = rng.uniform() < tmsi_share
        out.append(
            Phone(
                index=len(out),
                arrival_s=float(t),
                imsi=(mcc + mnc + msin)[:15],
                tmsi=int(rng.integers(0, 0xFFFFFFFF)) if shows_tmsi else None,
                imei=body + luhn_digit(body),
                ra=int(rng.integers(0, 1 << random_bits)),
                distance_m=float(r) if geometry is not None else None,
            )
        )
    return out
