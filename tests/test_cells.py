"""The cell model: real SI messages merged into one cell, the contract's cell object, changes noticed."""

import pytest

from sensor.cells import CellTracker, cell_object
from sensor.gsm import multiframe
from sensor.l3.cell import CellParams, build_all
from sensor.model import L2Block
from tests.coding.capture import expected_bcch_ts0


def _block(octets, fn=0, *, arfcn=725, bsic=48, channel="BCCH", t_s=0.0, crc_ok=True, **q):
    return L2Block(arfcn=arfcn, fn=fn, tn=0, channel=channel, octets=octets, crc_ok=crc_ok, bsic=bsic, t_s=t_s, **q)


def test_real_cell_from_its_blocks():
    tracker = CellTracker()
    for fn, octets in sorted(expected_bcch_ts0().items()):
        channel = multiframe.block_starting_at(fn, combined=False).channel.value
        tracker.add_block(
            _block(octets, fn, channel=channel, t_s=fn * 0.0046, snr_db=20.0, freq_offset_hz=-150.0, band="DCS1800")
        )
    (cell,) = tracker.cells.values()
    obj = cell_object(cell)
    assert (obj["mcc"], obj["mnc"], obj["lac"], obj["cell_id"]) == ("262", "02", 318, 11225)
    assert set(obj["si"]) == {"1", "2", "2ter", "2quater", "3", "4", "13"}
    assert {730, 733, 734, 741, 746} <= set(obj["neighbours"])
    assert len([a for a in obj["neighbours"] if a < 125]) == 12  # the GSM900 neighbours of SI2ter
    assert obj["params"]["t3212_min"] > 0 and "rxlev_access_min_dbm" in obj["params"]
    assert obj["downlink_hz"] == 1847.8e6 and obj["freq_offset_ppm"] == pytest.approx(-150 / 1847.8, abs=1e-3)
    assert obj["verdict"] == "normal" and obj["score"] == 0.0 and obj["reasons"] == []
    # a live network: pages that carry identities, and the empty fill of an idle paging channel
    assert cell.ccch.get("paging_request_1", 0) >= 50 and cell.ccch.get("paging_request_1_empty", 0) > 100
    assert tracker.parse_errors == 0
    assert cell.changes == []


def test_parameter_change_is_noticed_and_garbage_is_counted():
    tracker = CellTracker()
    a = build_all(CellParams(mcc="460", mnc="00", lac=10, cell_id=1, arfcn=62, t3212_min=60))
    b = build_all(CellParams(mcc="460", mnc="00", lac=11, cell_id=1, arfcn=62, t3212_min=6))
    si3 = next(v for k, v in a.items() if k.value == "3")
    si3b = next(v for k, v in b.items() if k.value == "3")
    tracker.add_block(_block(si3, arfcn=62, bsic=5, t_s=1.0))
    tracker.add_block(_block(si3b, arfcn=62, bsic=5, t_s=9.0))
    tracker.add_block(_block(bytes.fromhex("5506ff") + b"\x00" * 20, arfcn=62, bsic=5))  # not a parseable SI
    tracker.add_block(_block(b"\x00" * 23, arfcn=62, bsic=5, crc_ok=False))
    cell = tracker.cells[(62, 5)]
    (change,) = cell.changes
    assert (
        change.si_type == "3"
        and change.t_s == 9.0
        and change.changed[0] == "identity"
        and "t3212_min" in change.changed
    )
    assert cell_object(cell)["lac"] == 11 and cell.parse_errors == 1 and cell.blocks_failed == 1
    assert cell_object(cell)["neighbours"] is None  # no SI2 seen yet


def test_the_real_vodafone_cell_is_judged_normal_by_every_rule():
    """vf_call6's cell sends CRO 80 dB with PENALTY_TIME 31, which subtracts the offset (TS 45.008 §6.4):
    no lure. Judged alone, with the band plans loaded, it must come out normal with no reason at all."""
    from sensor.detect.detector import Detector
    from sensor.detect.judge import judge_cells
    from sensor.gsm.allocations import load_allocations

    tracker = CellTracker()
    for fn, octets in sorted(expected_bcch_ts0().items()):
        channel = multiframe.block_starting_at(fn, combined=False).channel.value
        tracker.add_block(
            _block(octets, fn, channel=channel, t_s=fn * 0.0046, snr_db=20.0, freq_offset_hz=-150.0, band="DCS1800")
        )
    (cell,) = tracker.cells.values()
    assert cell_object(cell)["params"]["cro_db"] == 80 and cell_object(cell)["params"]["penalty_time_subtracts_cro"]
    (judged,) = judge_cells([cell], Detector.from_config(), allocations=load_allocations())
    assert (judged["verdict"], judged["reasons"]) == ("normal", [])
