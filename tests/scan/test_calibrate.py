"""The ppm estimator on synthetic offsets: robust to a fake station's own clock, refuses when the
cells do not agree, and uses the receiver's sign convention (positive = LO high)."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.model import L2Block
from sensor.scan.calibrate import (
    CalibrationError,
    OffsetMeasurement,
    estimate_ppm,
    implied_ppm,
    measurements_from_blocks,
)


def seen_offset_hz(f_hz: float, receiver_ppm: float, transmitter_ppm: float = 0.0) -> float:
    """As the simulator renders it: a transmitter at f(1 + δ) seen through a clock ε fast at f(1 + δ)/(1 + ε)."""
    return f_hz * (1 + transmitter_ppm * 1e-6) / (1 + receiver_ppm * 1e-6) - f_hz


def synthetic(
    receiver_ppm: float, cells: dict[int, float], *, n: int = 5, noise_hz: float = 8.0, seed: int = 1
) -> list[OffsetMeasurement]:
    """``cells``: ARFCN → the transmitter's own error in ppm (0 for an operator's cell)."""
    rng = np.random.default_rng(seed)
    out = []
    for arfcn, tx_ppm in cells.items():
        f = float(arfcn_to_downlink_hz(arfcn))
        for k in range(n):
            off = seen_offset_hz(f, receiver_ppm, tx_ppm) + rng.normal(0, noise_hz)
            out.append(OffsetMeasurement(arfcn, off, f, "E-GSM900", arfcn % 64, t_s=float(k)))
    return out


def test_implied_ppm_is_the_receiver_error_as_the_scene_defines_it() -> None:
    f = 947.4e6
    for ppm in (-40.0, 12.0, 0.0, 87.5):
        assert implied_ppm(seen_offset_hz(f, ppm), f) == pytest.approx(ppm, abs=1e-9)
    # LO high (positive ppm) → carriers appear low → negative offsets
    assert seen_offset_hz(f, 12.0) == pytest.approx(-11368.66, abs=0.01)
    assert implied_ppm(-11368.66, f) == pytest.approx(12.0, abs=1e-5)


@pytest.mark.parametrize("truth", [-40.0, 12.0])
def test_recovers_the_error_and_rejects_the_fake(truth: float) -> None:
    cells = {58: 0.0, 60: 0.0, 61: 0.0, 64: 0.0, 66: 0.0, 1000: 0.0, 63: 5.0}
    est = estimate_ppm(synthetic(truth, cells))
    assert est.ppm == pytest.approx(truth, abs=0.1)
    assert 0 < est.spread_ppm < 0.05
    assert [c.arfcn for c in est.used] == [1000, 58, 60, 61, 64, 66]  # by frequency
    assert [c.arfcn for c in est.rejected] == [63]
    fake = est.rejected[0]
    assert fake.ppm == pytest.approx(truth - 5.0, abs=0.1)
    assert fake.reason.startswith("-5.0") and "fake station" in fake.reason
    assert all(c.measurements == 5 and c.reason is None for c in est.used)


def test_a_fake_among_few_cells_is_still_outvoted() -> None:
    est = estimate_ppm(synthetic(-40.0, {58: 0.0, 60: 0.0, 62: 0.0, 64: 3.0, 66: -2.0}))
    assert est.ppm == pytest.approx(-40.0, abs=0.1)
    assert sorted(c.arfcn for c in est.rejected) == [64, 66]


def test_too_few_agreeing_cells_is_a_refusal() -> None:
    with pytest.raises(CalibrationError, match=r"2 usable cell\(s\), 3 needed"):
        estimate_ppm(synthetic(10.0, {58: 0.0, 60: 0.0}))
    assert estimate_ppm(synthetic(10.0, {58: 0.0, 60: 0.0}), min_cells=2).ppm == pytest.approx(10.0, abs=0.1)
    with pytest.raises(CalibrationError, match=r"only 2 cell\(s\) agree within ±0.3 ppm, 3 needed"):
        estimate_ppm(synthetic(10.0, {58: 0.0, 60: 0.0, 62: 4.0, 64: -4.0}))
    with pytest.raises(ValueError, match="at least 2"):
        estimate_ppm(synthetic(10.0, {58: 0.0, 60: 0.0}), min_cells=1)
    with pytest.raises(CalibrationError, match="usable cell"):
        estimate_ppm([])


def test_two_groups_that_disagree_is_a_refusal() -> None:
    with pytest.raises(CalibrationError, match="two groups of 3"):
        estimate_ppm(synthetic(10.0, {58: 0.0, 60: 0.0, 62: 0.0, 64: 2.0, 66: 2.0, 68: 2.0}))


def test_threshold_is_configurable() -> None:
    cells = {58: 0.0, 60: 0.0, 62: 0.0, 64: 0.5}
    assert [c.arfcn for c in estimate_ppm(synthetic(5.0, cells)).rejected] == [64]
    assert not estimate_ppm(synthetic(5.0, cells), max_disagreement_ppm=1.0).rejected


def test_wandering_and_implausible_cells_are_rejected() -> None:
    meas = synthetic(-20.0, {58: 0.0, 60: 0.0, 62: 0.0})
    f = float(arfcn_to_downlink_hz(70))
    meas += [OffsetMeasurement(70, seen_offset_hz(f, -20.0 + d), f, "E-GSM900", 5) for d in (-2.0, 0.0, 2.0, 1.0, -1.0)]
    f = float(arfcn_to_downlink_hz(72))
    meas += [OffsetMeasurement(72, seen_offset_hz(f, 150.0), f, "E-GSM900", 6)]
    est = estimate_ppm(meas)
    reasons = {c.arfcn: c.reason for c in est.rejected}
    assert "wandered" in reasons[70] and "beyond ±100 ppm" in reasons[72]
    assert est.ppm == pytest.approx(-20.0, abs=0.1)


def test_measurements_from_blocks_count_each_window_once() -> None:
    def block(arfcn: int, off: float | None, crc: bool = True, bsic: int | None = 12) -> L2Block:
        return L2Block(
            arfcn=arfcn,
            fn=0,
            tn=0,
            channel="BCCH",
            octets=bytes(23),
            crc_ok=crc,
            freq_offset_hz=off,
            bsic=bsic,
            band="P-GSM900",
        )

    blocks = [
        block(58, -100.0),
        block(58, -100.0),
        block(58, -101.5),
        block(58, None),
        block(58, -300.0, crc=False),
        block(60, -100.0),
        block(58, -100.0, bsic=13),
    ]
    ms = measurements_from_blocks(blocks)
    assert [(m.arfcn, m.bsic, m.offset_hz) for m in ms] == [
        (58, 12, -100.0),
        (58, 12, -101.5),
        (60, 12, -100.0),
        (58, 13, -100.0),
    ]
    assert ms[0].downlink_hz == 946.6e6
