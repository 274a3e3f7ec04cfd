"""Real System Information messages, as gr-gsm decoded them from real cells, parse to the known values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sensor.l3.errors import L3ParseError
from sensor.l3.freqlist import FreqListFormat
from sensor.l3.messages import SIType, parse_si, si_type_of

# captures/README.md: the SI3 of gsmsp_953.6MHz_500ksps.cfile (ARFCN 93, Ireland, 2007)
GSMSP_SI3 = bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b900008020420b")
VF_FILE = "expected/vf_call6_arfcn725.grgsm_bcch_ts0.txt"
_LINE = re.compile(r"^\s*(\d+)\s+\d+:\s+((?:[0-9a-f]{2}\s*){23})$")


def _frames(path: Path) -> list[bytes]:
    out = []
    for line in path.read_text().splitlines():
        m = _LINE.match(line)
        if m:
            out.append(bytes.fromhex(m.group(2).replace(" ", "")))
    return out


def test_gsmsp_si3_from_the_readme():
    si = parse_si(GSMSP_SI3)
    assert si.si_type is SIType.SI3
    assert (si.cell_id, si.mcc, si.mnc, si.lac) == (15149, "272", "02", 15016)
    ccd = si.control_channel_description
    assert (ccd.ccch_conf, ccd.bs_ag_blks_res, ccd.bs_pa_mfrms, ccd.t3212_decihours, ccd.t3212_min) == (
        0,
        2,
        5,
        60,
        360,
    )
    assert ccd.att and ccd.mscr and ccd.ccch_combined_with_sdcch is False
    csp = si.cell_selection_parameters
    assert (csp.cell_reselect_hysteresis_db, csp.ms_txpwr_max_cch, csp.rxlev_access_min_dbm) == (6, 5, -104)
    ro = si.rest_octets
    assert ro.selection_parameters.cell_reselect_offset_db == 0
    assert ro.selection_parameters.temporary_offset_db == 10 and ro.selection_parameters.penalty_time_s == 20
    assert ro.gprs_indicator.ra_colour == 2 and ro.si2ter_indicator and ro.si2quater_position == 0
    assert si.to_l2() == GSMSP_SI3
    p = si.params()
    assert p["t3212_min"] == 360 and p["cro_db"] == 0 and p["gprs"] is True and p["cell_barred"] is False


def test_gsmsp_si3_is_in_the_grgsm_ground_truth(captures):
    assert GSMSP_SI3 in _frames(captures / "expected/gsmsp.grgsm_decode.txt")


@pytest.fixture(scope="module")
def vf_si(captures) -> dict[SIType, list[bytes]]:
    path = captures / VF_FILE
    if not path.is_file():
        pytest.skip(f"{path} not found")
    by_type: dict[SIType, list[bytes]] = {}
    for frame in dict.fromkeys(_frames(path)):  # distinct, in order
        t = si_type_of(frame)
        if t is not None:
            by_type.setdefault(t, []).append(frame)
    return by_type


def test_vf_cell_broadcasts_the_expected_si_types(vf_si):
    assert set(vf_si) == {SIType.SI1, SIType.SI2, SIType.SI2TER, SIType.SI2QUATER, SIType.SI3, SIType.SI4, SIType.SI13}
    assert all(len(frames) == 1 for frames in vf_si.values())  # the cell never changed its SI


def test_vf_cell_identity_and_lists(vf_si):
    si3 = parse_si(vf_si[SIType.SI3][0])
    assert (si3.mcc, si3.mnc, si3.lac, si3.cell_id) == ("262", "02", 318, 11225)
    si4 = parse_si(vf_si[SIType.SI4][0])
    assert (si4.mcc, si4.mnc, si4.lac) == ("262", "02", 318)
    si1 = parse_si(vf_si[SIType.SI1][0])
    assert si1.cell_channels == (725,) and si1.cell_channel_description.format is FreqListFormat.VARIABLE_BITMAP
    assert si1.rest_octets.band_indicator_1900 is False and si1.params()["band_indicator"] == "DCS1800"
    si2 = parse_si(vf_si[SIType.SI2][0])
    assert si2.neighbours == (730, 733, 734, 741, 746)
    assert si2.ncc_permitted == (3, 4, 5, 6)
    si2ter = parse_si(vf_si[SIType.SI2TER][0])
    assert si2ter.neighbours == (4, 6, 8, 10, 12, 53, 61, 63, 65, 67, 69, 75)
    assert len(si2ter.neighbours) == 12 and all(1 <= a <= 124 for a in si2ter.neighbours)
    assert si2ter.l2_pseudo_length == 0  # this network sends 0, not the 18 of §9.1.34


def test_vf_cell_parameters(vf_si):
    si3 = parse_si(vf_si[SIType.SI3][0])
    p = si3.params()
    assert p["t3212_min"] == 60 and p["bs_ag_blks_res"] == 1 and p["bs_pa_mfrms"] == 9 and p["att"] is True
    assert p["cell_reselect_hysteresis_db"] == 6 and p["rxlev_access_min_dbm"] == -101 and p["ms_txpwr_max_cch"] == 0
    assert p["cbq"] is True and p["cro_db"] == 80 and p["temporary_offset_db"] == 0
    assert p["penalty_time_s"] is None and p["penalty_time_subtracts_cro"] is True
    assert p["gprs"] and p["ra_colour"] == 6 and p["si2ter_indicator"] and p["si2quater_indicator"]
    assert si3.rest_octets.si2quater_position == 1
    si4 = parse_si(vf_si[SIType.SI4][0])
    assert si4.params()["cro_db"] == 80 and si4.rest_octets.break_indicator is False
    si13 = parse_si(vf_si[SIType.SI13][0]).rest_octets
    assert si13.rac == 1 and si13.bcch_change_mark == 4 and si13.gprs_cell_options.nmo_name == "II"
    assert si13.gprs_cell_options.t3192_ms == 200 and si13.gprs_cell_options.drx_timer_max_s == 64 and si13.sgsnr
    si2q = parse_si(vf_si[SIType.SI2QUATER][0]).rest_octets
    assert (si2q.index, si2q.count, si2q.mp_change_mark, si2q.extension_present) == (0, 0, 1, True)
    assert si2q.complete and si2q.utran_neighbours == () and si2q.eutran_neighbours == ()


def test_vf_messages_reencode_byte_exact(vf_si):
    for t in (SIType.SI1, SIType.SI2, SIType.SI2TER, SIType.SI3, SIType.SI4):
        frame = vf_si[t][0]
        assert parse_si(frame).to_l2() == frame, t


@pytest.mark.parametrize("name", ["expected/vf_call6_arfcn725.grgsm_bcch_ts0.txt", "expected/gsmsp.grgsm_decode.txt",
                                  "expected/rtlsdr_933.2MHz_2Msps.grgsm_decode.txt"])  # fmt: skip
def test_every_real_block_parses_or_is_rejected_with_a_decode_error(captures, name):
    path = captures / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    frames = _frames(path)
    assert frames
    for frame in frames:
        if si_type_of(frame) is not None:
            parse_si(frame)
        else:
            with pytest.raises(L3ParseError):
                parse_si(frame)
