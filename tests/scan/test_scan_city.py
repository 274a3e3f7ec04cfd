"""The scanning acceptance test: a city spanning E-GSM 900 and DCS 1800 with 42 cells (a fake
station 5 ppm off among them), heard by a receiver whose clock is -40 ppm off, is scanned
completely — every cell, no phantom — with an RTL-SDR profile (E4000 tuner: it reaches DCS) and with
a HackRF profile; the full pass's calibration finds -40 ppm within 0.1 ppm with the fake rejected."""

from __future__ import annotations

import pytest

from sensor.scan.calibrate import estimate_ppm, measurements_from_blocks
from sensor.scan.session import open_session
from tests.scan.bigscene import FAKE_ARFCN, cells, write_big_scene


@pytest.mark.slow
@pytest.mark.parametrize(("profile", "rate_hz"), [("rtlsdr-e4000", None), ("hackrf-one", 8e6)])
def test_city_scanned_completely(tmp_path, profile, rate_hz):
    scene = write_big_scene(tmp_path)
    s = open_session(f"sim:{scene}", profile=profile, bands="gsm900,dcs", rate_hz=rate_hz)
    blocks = []
    s.scanner.on_block = blocks.append
    try:
        visits = s.scanner.scan_pass(0)
    finally:
        s.close()
    heard = {(a, c.band) for (a, _), c in s.scanner.tracker.cells.items() if c.blocks > c.blocks_failed}
    want = {(a, b or "E-GSM900") for _, a, _, b in cells()} | {(FAKE_ARFCN, "E-GSM900")}
    norm = {(a, "E-GSM900" if b and "GSM900" in b else b) for a, b in heard}
    assert norm == want  # every cell, nothing else
    assert not any(v.timed_out for v in visits)
    assert len(s.plan.left_out) == 0
    est = estimate_ppm(measurements_from_blocks(blocks))
    assert est.ppm == pytest.approx(-40.0, abs=0.1)
    assert [r.arfcn for r in est.rejected] == [FAKE_ARFCN]  # the fake's own 5 ppm clock
