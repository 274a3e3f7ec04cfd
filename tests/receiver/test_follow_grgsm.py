"""gr-gsm agreement on dedicated channels (issue 22): on the same recordings of a fake station working
phones (Immediate Assignments, SDCCH/SACCH, SMS), every SDCCH/SACCH block gr-gsm decodes when told the
channel is among ours, at the same FN, octet for octet; ours finds the channels by itself. Also where
both receivers miss blocks: more noise, and the fake Rayleigh-faded (TU6), where a lost assignment
once cost us a whole sub-channel that gr-gsm, told the timeslot, decoded (``receiver.follow.found``)."""

from __future__ import annotations

import pytest

from tests.receiver.agreement import agreement

pytestmark = [pytest.mark.interop, pytest.mark.slow]


@pytest.mark.parametrize(
    ("scene", "wideband"),
    [("fake-street-sdcch8", False), ("fake-street-sdcch4", False), ("fake-street-sdcch8", True)],
    ids=["sdcch8-1Msps", "sdcch4-1Msps", "sdcch8-2.4Msps-channelized"],
)
def test_every_block_gr_gsm_decodes_is_ours(tmp_path, scene, wideband):
    a = agreement(scene, tmp_path, wideband=wideband)
    assert len(a.grgsm) > 100  # the fake's sessions: SDCCH and SACCH blocks
    assert a.missing == []
    assert a.ours.keys() == a.grgsm.keys()  # clean: the same blocks, none more


@pytest.mark.parametrize(
    ("scene", "noise_dbfs", "doppler_hz"),
    [("fake-street-sdcch4", -36.0, None), ("fake-street-sdcch8", -46.0, 10.0)],
    ids=["sdcch4-noisy", "sdcch8-tu6-faded"],
)
def test_where_gr_gsm_misses_blocks_we_miss_none_it_decodes(tmp_path, scene, noise_dbfs, doppler_hz):
    a = agreement(scene, tmp_path, noise_dbfs=noise_dbfs, doppler_hz=doppler_hz)
    assert a.missing == []
    assert 50 < len(a.grgsm) < len(a.ours)  # gr-gsm decodes some and misses some that we decode
