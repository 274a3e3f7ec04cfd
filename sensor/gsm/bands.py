"""GSM bands and ARFCN ↔ carrier frequency (TS 45.005 §2), as data.

Each band is one or more ARFCN ranges with a linear frequency rule, 200 kHz apart:
``uplink_hz(n) = uplink_hz_at_ref + 200 kHz × (n − ref_arfcn)`` and
``downlink_hz(n) = uplink_hz(n) + duplex_hz``. Frequencies are exact integers in Hz.

ARFCN numbers are not unique across bands:

* P-GSM, E-GSM, R-GSM and ER-GSM 900 nest (same frequency for the same ARFCN);
* DCS 1800 (512..885) and PCS 1900 (512..810) share 512..810 with different frequencies, so
  functions take a band, or a preference (``pcs=True``), to resolve them. GSMTAP marks PCS
  ARFCNs with the 0x8000 flag (``sensor.frames.gsmtap.GsmtapHeader``).

GSM 750 is the one band whose downlink is the lower frequency (747–762 MHz down, 777–792 MHz up,
duplex −30 MHz here). Some tools (libosmocore 1.x) tabulate it the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np

CHANNEL_SPACING_HZ = 200_000  # TS 45.005 §2


@dataclass(frozen=True, slots=True)
class ArfcnRange:
    first: int
    last: int
    ref_arfcn: int  # the n of the band's formula: uplink_hz = uplink_ref_hz + 200 kHz × (arfcn − ref_arfcn)
    uplink_ref_hz: int

    def __contains__(self, arfcn: object) -> bool:
        return isinstance(arfcn, (int, np.integer)) and self.first <= int(arfcn) <= self.last


@dataclass(frozen=True, slots=True)
class Band:
    name: str
    ranges: tuple[ArfcnRange, ...]
    duplex_hz: int  # downlink − uplink
    clause: str = "TS 45.005 §2"

    def contains(self, arfcn: int) -> bool:
        return any(int(arfcn) in r for r in self.ranges)

    def arfcns(self) -> np.ndarray:
        """All ARFCNs of the band, ascending by frequency (E-GSM's 975..1023 come before 0..124)."""
        arrs = [np.arange(r.first, r.last + 1) for r in self.ranges]
        all_ = np.concatenate(arrs)
        return all_[np.argsort(self._uplink_hz_array(all_), kind="stable")]

    def _range_of(self, arfcn: int) -> ArfcnRange:
        for r in self.ranges:
            if int(arfcn) in r:
                return r
        raise ValueError(f"ARFCN {arfcn} is not in band {self.name}")

    def _uplink_hz_array(self, arfcn: np.ndarray) -> np.ndarray:
        arfcn = np.asarray(arfcn, dtype=np.int64)
        out = np.full(arfcn.shape, -1, dtype=np.int64)
        for r in self.ranges:
            m = (arfcn >= r.first) & (arfcn <= r.last)
            out[m] = r.uplink_ref_hz + CHANNEL_SPACING_HZ * (arfcn[m] - r.ref_arfcn)
        if np.any(out < 0):
            bad = arfcn[out < 0]
            raise ValueError(f"ARFCN {int(bad.flat[0])} is not in band {self.name}")
        return out

    @overload
    def uplink_hz(self, arfcn: int) -> int: ...
    @overload
    def uplink_hz(self, arfcn: np.ndarray) -> np.ndarray: ...
    def uplink_hz(self, arfcn: int | np.ndarray) -> int | np.ndarray:
        """Uplink (MS transmit) carrier in Hz; int for an int, int64 array for an array."""
        if isinstance(arfcn, np.ndarray):
            return self._uplink_hz_array(arfcn)
        r = self._range_of(arfcn)
        return r.uplink_ref_hz + CHANNEL_SPACING_HZ * (int(arfcn) - r.ref_arfcn)

    @overload
    def downlink_hz(self, arfcn: int) -> int: ...
    @overload
    def downlink_hz(self, arfcn: np.ndarray) -> np.ndarray: ...
    def downlink_hz(self, arfcn: int | np.ndarray) -> int | np.ndarray:
        """Downlink (BTS transmit) carrier in Hz; int for an int, int64 array for an array."""
        return self.uplink_hz(arfcn) + self.duplex_hz

    @property
    def downlink_range_hz(self) -> tuple[int, int]:
        """(lowest, highest) downlink carrier of the band."""
        f = self.downlink_hz(self.arfcns())
        return int(f.min()), int(f.max())


_R = ArfcnRange
# TS 45.005 §2 (Table of Fl(n)/Fu(n)): ARFCN ranges and carrier frequencies. uplink_ref_hz is the
# uplink carrier of ref_arfcn, so uplink = uplink_ref_hz + 0.2 MHz × (n − ref_arfcn).
BANDS: dict[str, Band] = {
    b.name: b
    for b in (
        Band("GSM450", (_R(259, 293, 259, 450_600_000),), 10_000_000),
        Band("GSM480", (_R(306, 340, 306, 479_000_000),), 10_000_000),
        # GSM 750: downlink 747.2 + 0.2 (n − 438) MHz, uplink 30 MHz above
        Band("GSM750", (_R(438, 511, 438, 777_200_000),), -30_000_000),
        Band("GSM850", (_R(128, 251, 128, 824_200_000),), 45_000_000),
        Band("P-GSM900", (_R(1, 124, 0, 890_000_000),), 45_000_000),
        Band("E-GSM900", (_R(975, 1023, 1024, 890_000_000), _R(0, 124, 0, 890_000_000)), 45_000_000),
        Band("R-GSM900", (_R(955, 1023, 1024, 890_000_000), _R(0, 124, 0, 890_000_000)), 45_000_000),
        Band("ER-GSM900", (_R(940, 1023, 1024, 890_000_000), _R(0, 124, 0, 890_000_000)), 45_000_000),
        Band("DCS1800", (_R(512, 885, 512, 1_710_200_000),), 95_000_000),
        Band("PCS1900", (_R(512, 810, 512, 1_850_200_000),), 80_000_000),
    )
}

# Order in which an ARFCN without a band is resolved: the narrowest 900 band first (same
# frequencies anyway), DCS before PCS unless PCS is asked for.
_900 = ("P-GSM900", "E-GSM900", "R-GSM900", "ER-GSM900")
_DEFAULT_ORDER = ("GSM450", "GSM480", "GSM750", "GSM850") + _900 + ("DCS1800", "PCS1900")
_PCS_ORDER = ("GSM450", "GSM480", "GSM750", "GSM850") + _900 + ("PCS1900", "DCS1800")


def band(name: str) -> Band:
    try:
        return BANDS[name]
    except KeyError:
        raise ValueError(f"unknown band {name!r}; known: {', '.join(BANDS)}") from None


def band_of_arfcn(arfcn: int, *, pcs: bool = False, prefer: tuple[str, ...] = ()) -> Band:
    """The band of ``arfcn``: the first of ``prefer`` that has it, else the default order
    (P-GSM before E-GSM before R-GSM before ER-GSM; DCS 1800 for 512..810 unless ``pcs``,
    which makes PCS 1900 win where both have the number)."""
    for name in tuple(prefer) + (_PCS_ORDER if pcs else _DEFAULT_ORDER):
        b = band(name)
        if b.contains(arfcn):
            return b
    raise ValueError(f"ARFCN {arfcn} is in no GSM band")


def _resolve(arfcn: int, band_name: str | None, pcs: bool) -> Band:
    if band_name is None:
        return band_of_arfcn(arfcn, pcs=pcs)
    b = band(band_name)
    if not b.contains(arfcn):
        raise ValueError(f"ARFCN {arfcn} is not in band {band_name}")
    return b


def arfcn_to_downlink_hz(arfcn: int, band_name: str | None = None, *, pcs: bool = False) -> int:
    """Downlink carrier frequency in Hz of ``arfcn`` (in ``band_name``, or resolved as ``band_of_arfcn``)."""
    return int(_resolve(arfcn, band_name, pcs).downlink_hz(int(arfcn)))


def arfcn_to_uplink_hz(arfcn: int, band_name: str | None = None, *, pcs: bool = False) -> int:
    """Uplink carrier frequency in Hz of ``arfcn``."""
    return int(_resolve(arfcn, band_name, pcs).uplink_hz(int(arfcn)))


@dataclass(frozen=True, slots=True)
class ChannelMatch:
    """The channel nearest to a frequency: ``offset_hz`` = frequency − channel's carrier."""

    band: str
    arfcn: int
    carrier_hz: int
    offset_hz: float


def downlink_hz_to_arfcn(
    frequency_hz: float,
    *,
    bands: tuple[str, ...] | None = None,
    max_offset_hz: float | None = CHANNEL_SPACING_HZ / 2,
) -> ChannelMatch | None:
    """The downlink channel nearest to ``frequency_hz`` among ``bands`` (default: all; downlink
    frequencies do not overlap between DCS 1800 and PCS 1900, so there is nothing to resolve);
    None when the nearest is farther than ``max_offset_hz`` (None = no limit). Of bands giving the
    same carrier (the 900 MHz family) the first listed wins: P-GSM, then E-, R-, ER-GSM."""
    names = bands if bands is not None else _DEFAULT_ORDER
    best: ChannelMatch | None = None
    for name in names:
        b = band(name)
        arfcns = b.arfcns()
        carriers = b.downlink_hz(arfcns)
        i = int(np.argmin(np.abs(carriers - frequency_hz)))
        offset = float(frequency_hz - carriers[i])
        if best is None or abs(offset) < abs(best.offset_hz):
            best = ChannelMatch(name, int(arfcns[i]), int(carriers[i]), offset)
    if best is None or (max_offset_hz is not None and abs(best.offset_hz) > max_offset_hz):
        return None
    return best


def arfcns_of_band(band_name: str) -> np.ndarray:
    """All ARFCNs of a band, ascending by frequency."""
    return band(band_name).arfcns()
