"""gr-gsm decodes the scheduled blocks of a simulated cell octet for octet at their frame numbers:
SDCCH/8 + SACCH/C8 on timeslot 1 (``grgsm_decode -m SDCCH8 -t 1``), SDCCH/4 + SACCH/C4 on a combined
timeslot 0 (``-m BCCH_SDCCH4 -t 0``); a ciphered block and the idle sub-channels' dummy bursts give
nothing. Payloads are real blocks gr-gsm decoded from a network's SDCCH (the vf_call6 capture)."""

from __future__ import annotations

import pytest

from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.sim.c0 import sent_blocks
from sensor.sim.output import write_cfile
from sensor.sim.render import cell_config
from sensor.sim.traffic import ScheduledBlock, Traffic
from tests import grgsm
from tests.sim.scenes import cell_toml, scene_from, scene_toml

pytestmark = [pytest.mark.interop, pytest.mark.slow]

START = 51 * 1000  # the cells' first frame: a 51-multiframe boundary, even in the 102-frame cycle
# vf_call6_arfcn725.grgsm_sdcch8_ts1.txt: a UI fill frame, an I frame carrying a message, and
# another I frame on the SDCCH; an SI5 with its L1 header (power, timing advance) on the SACCH
SDCCH_OCTETS = (
    bytes.fromhex("030301") + b"\x2b" * 20,
    bytes.fromhex("017335062700035018a005f4015c5703") + b"\x2b" * 7,
    bytes.fromhex("03200d063511") + b"\x2b" * 17,
)
SACCH_OCTETS = bytes.fromhex("000103034906 1d9f6d1810800000000000000000000000".replace(" ", ""))
RATE = 1e6


def _render(tmp_path, name: str, arfcn: int, bsic: int, traffic: Traffic, params_extra: str = ""):
    fc = arfcn_to_downlink_hz(arfcn)
    cell = cell_toml(name, arfcn, bsic, power_dbfs=-20, extra=f"start_fn = {START}\n", params_extra=params_extra)
    scene = scene_from(tmp_path, scene_toml(fc, RATE, [cell], duration_s=1.6))
    cfile = tmp_path / f"{name}.cfile"
    write_cfile(scene, cfile, traffic={name: traffic})
    return scene.cells[0], cfile, fc


def _check(decoded: list[tuple[int, bytes]], blocks: list[ScheduledBlock], others: dict[int, bytes]) -> None:
    got = dict(decoded)
    for b in blocks:
        if b.ciphered:
            assert b.first_fn not in got, f"gr-gsm decoded the ciphered block at FN {b.first_fn}"
        else:
            assert got.get(b.first_fn) == b.octets, f"FN {b.first_fn} {b.channel} {b.sub}: {got.get(b.first_fn)}"
    scheduled = {b.first_fn for b in blocks}
    for fn, octets in decoded:  # nothing else: the idle sub-channels' dummy bursts decode to nothing
        assert fn in scheduled or others.get(fn) == octets, f"gr-gsm decoded {octets.hex()} at FN {fn}"


def test_grgsm_decodes_sdcch8_and_sacch_c8_on_timeslot_1(tmp_path):
    grgsm.require()
    mf = [START + 51 * k for k in range(2, 6)]  # after gr-gsm has found the FCCH and SCH
    blocks = [
        *(ScheduledBlock(1, m + 8, "SDCCH", 2, o, session=1) for m, o in zip(mf, SDCCH_OCTETS)),
        ScheduledBlock(1, mf[0] + 40, "SACCH", 2, SACCH_OCTETS, session=1),  # even multiframe: 0..3
        ScheduledBlock(1, mf[1] + 44, "SACCH", 7, SACCH_OCTETS, session=2),  # odd multiframe: 4..7
        ScheduledBlock(1, mf[1] + 28, "SDCCH", 7, SDCCH_OCTETS[1], session=2),
        ScheduledBlock(1, mf[3] + 12, "SDCCH", 3, SDCCH_OCTETS[2], session=3, keystream_seed=99),
    ]
    cell, cfile, fc = _render(tmp_path, "s8", 62, 21, Traffic(blocks))
    assert cell.sdcch8_timeslots == (1,)
    decoded = grgsm.decode(cfile, sample_rate_hz=RATE, fc_hz=fc, tmp_dir=tmp_path, mode="SDCCH8", timeslot=1)
    _check(decoded, blocks, {})


def test_grgsm_decodes_sdcch4_and_sacch_c4_on_a_combined_timeslot_0(tmp_path):
    grgsm.require()
    mf = [START + 51 * k for k in range(2, 6)]
    blocks = [
        *(ScheduledBlock(0, m + 26, "SDCCH", 1, o, session=1) for m, o in zip(mf, SDCCH_OCTETS)),
        ScheduledBlock(0, mf[0] + 46, "SACCH", 1, SACCH_OCTETS, session=1),  # even multiframe: 0, 1
        ScheduledBlock(0, mf[1] + 42, "SACCH", 2, SACCH_OCTETS, session=2),  # odd multiframe: 2, 3
        ScheduledBlock(0, mf[1] + 12, "CCCH", None, SDCCH_OCTETS[2], session=2),
        ScheduledBlock(0, mf[3] + 36, "SDCCH", 3, SDCCH_OCTETS[1], session=3, keystream_seed=5),
    ]
    traffic = Traffic(blocks)
    cell, cfile, fc = _render(tmp_path, "s4", 64, 22, traffic, params_extra="ccch_conf = 1\n")
    assert cell.dedicated_channels == "sdcch4"
    decoded = grgsm.decode(cfile, sample_rate_hz=RATE, fc_hz=fc, tmp_dir=tmp_path, mode="BCCH_SDCCH4", timeslot=0)
    own = sent_blocks(cell_config(cell, traffic), START, 340)
    _check(decoded, blocks, own)
    assert sum(fn in own for fn, _ in decoded) > 10  # and the cell's own BCCH and CCCH around them
