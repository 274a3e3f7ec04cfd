"""Loading the real burst capture and gr-gsm's decodes of it (../shared/captures, see its README)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

CAPTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "captures"
BURST_FILE = CAPTURES / "vf_call6_arfcn725.bursts.txt.gz"
EXPECTED_BCCH_TS0 = CAPTURES / "expected" / "vf_call6_arfcn725.grgsm_bcch_ts0.txt"

# gsmtap_subtype values used in the burst file (README)
SUBTYPE_FCCH = 1
SUBTYPE_SCH = 3
SUBTYPE_NORMAL = 6
SUBTYPE_DUMMY = 7


@dataclass(frozen=True, eq=False)
class Bursts:
    fn: np.ndarray  # (M,) int64
    timeslot: np.ndarray  # (M,) int64
    subtype: np.ndarray  # (M,) int64
    ubits: np.ndarray  # (M, 148) uint8

    def select(self, mask: np.ndarray) -> Bursts:
        return Bursts(self.fn[mask], self.timeslot[mask], self.subtype[mask], self.ubits[mask])


def require_captures() -> None:
    if not BURST_FILE.is_file() or not EXPECTED_BCCH_TS0.is_file():
        pytest.skip(f"real captures not found under {CAPTURES.resolve()} (the shared captures folder is absent)")


@lru_cache(maxsize=1)
def _load_bursts() -> Bursts:
    fns, tss, subs, rows = [], [], [], []
    with gzip.open(BURST_FILE, "rt", encoding="ascii") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            fn, ts, sub, _sig, _snr, bits = line.split()
            fns.append(int(fn))
            tss.append(int(ts))
            subs.append(int(sub))
            rows.append(bits)
    ubits = (np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8) - ord("0")).reshape(len(rows), 148)
    return Bursts(np.array(fns, np.int64), np.array(tss, np.int64), np.array(subs, np.int64), ubits)


def load_bursts() -> Bursts:
    """Every burst line of the capture (the repeated part included)."""
    require_captures()
    return _load_bursts()


def timeslot0_by_fn() -> dict[int, tuple[int, np.ndarray]]:
    """Timeslot-0 bursts keyed by FN → (subtype, 148 ubits); the file's repeated part collapses."""
    b = load_bursts()
    out: dict[int, tuple[int, np.ndarray]] = {}
    for i in np.flatnonzero(b.timeslot == 0):
        out[int(b.fn[i])] = (int(b.subtype[i]), b.ubits[i])
    return out


@lru_cache(maxsize=1)
def _load_expected() -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for line in EXPECTED_BCCH_TS0.read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        head, octets = line.split(":", 1)
        fn = int(head.split()[0])
        frame = bytes.fromhex(octets.strip())
        assert len(frame) == 23, line
        assert fn not in out, f"FN {fn} twice in the expected file"
        out[fn] = frame
    return out


def expected_bcch_ts0() -> dict[int, bytes]:
    """gr-gsm's decodes of timeslot 0: FN of the block's first burst → 23 octets."""
    require_captures()
    return _load_expected()


EXPECTED_SDCCH8_TS1 = CAPTURES / "expected" / "vf_call6_arfcn725.grgsm_sdcch8_ts1.txt"


def expected_sdcch8_ts1() -> dict[int, bytes]:
    """gr-gsm's SDCCH/8 decodes of timeslot 1: FN of the block's first burst → 23 octets."""
    require_captures()
    out: dict[int, bytes] = {}
    for line in EXPECTED_SDCCH8_TS1.read_text(encoding="ascii").splitlines():
        if line.strip():
            head, octets = line.split(":", 1)
            out[int(head.split()[0])] = bytes.fromhex(octets.strip())
    return out


def timeslot_by_fn(tn: int) -> dict[int, np.ndarray]:
    """The 148 ubits of timeslot ``tn`` keyed by FN (the file's repeated part collapses)."""
    b = load_bursts()
    return {int(b.fn[i]): b.ubits[i] for i in np.flatnonzero(b.timeslot == tn)}
