"""The cell model: real SI messages merged into one cell, the contract's cell object, changes noticed."""

import dataclasses

import pytest

from sensor import cells
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


def test_an_si_repeated_is_parsed_once_and_a_change_after_it_still_noticed(monkeypatch):
    tracker = CellTracker()
    a = build_all(CellParams(mcc="460", mnc="00", lac=10, cell_id=1, arfcn=62, t3212_min=60))
    b = build_all(CellParams(mcc="460", mnc="00", lac=11, cell_id=1, arfcn=62, t3212_min=6))
    si3, si3b = (next(v for k, v in m.items() if k.value == "3") for m in (a, b))
    parsed = []
    real = cells.parse_si
    monkeypatch.setattr(cells, "parse_si", lambda frame, **kw: parsed.append(frame) or real(frame, **kw))
    for t in range(5):
        tracker.add_block(_block(si3, arfcn=62, bsic=5, t_s=float(t)))
    cell = tracker.cells[(62, 5)]
    kept = cell.si["3"]
    assert parsed == [si3] and cell_object(cell)["lac"] == 10 and cell.changes == []
    garbage = bytes.fromhex("5506ff") + b"\x00" * 20  # not a parseable SI: counted each time it comes
    tracker.add_block(_block(garbage, arfcn=62, bsic=5))
    tracker.add_block(_block(garbage, arfcn=62, bsic=5))
    tracker.add_block(_block(si3b, arfcn=62, bsic=5, t_s=9.0))
    tracker.add_block(_block(si3, arfcn=62, bsic=5, t_s=10.0))  # and back: a change again
    assert cell.parse_errors == 2 and [c.t_s for c in cell.changes] == [9.0, 10.0]
    assert cell_object(cell)["lac"] == 10 and cell.si["3"] == kept and len(parsed) == 5


def test_the_real_vodafone_cell_is_judged_normal_by_every_rule():
    """vf_call6's cell sends CRO 80 dB with PENALTY_TIME 31, which subtracts the offset (TS 45.008 §6.4):
    no lure. Judged alone, with the band plans loaded and its SACCH's SI5 merged in, it must come out
    normal with no reason at all."""
    from sensor.detect.detector import Detector
    from sensor.detect.judge import judge_cells
    from sensor.gsm.allocations import load_allocations

    tracker = CellTracker()
    for fn, octets in sorted(expected_bcch_ts0().items()):
        channel = multiframe.block_starting_at(fn, combined=False).channel.value
        tracker.add_block(
            _block(octets, fn, channel=channel, t_s=fn * 0.0046, snr_db=20.0, freq_offset_hz=-150.0, band="DCS1800")
        )
    for b in _real_ts1_blocks():  # and its dedicated channel's SACCH (SI5)
        tracker.add_block(b)
    (cell,) = tracker.cells.values()
    assert "5" in cell_object(cell)["si"]
    assert cell_object(cell)["params"]["cro_db"] == 80 and cell_object(cell)["params"]["penalty_time_subtracts_cro"]
    (judged,) = judge_cells([cell], Detector.from_config(), allocations=load_allocations())
    assert (judged["verdict"], judged["reasons"]) == ("normal", [])


def _real_ts1_blocks() -> list[L2Block]:
    """gr-gsm's SDCCH/8 decodes of the real capture's TS1 (SDCCH and SACCH, sub-channel 1)."""
    from tests.coding.capture import expected_sdcch8_ts1

    out = []
    for fn, octets in sorted(expected_sdcch8_ts1().items()):
        channel = multiframe.sdcch8_frame_use(fn % 51).channel.value
        out.append(L2Block(725, fn, 1, channel, octets, True, bsic=48, t_s=fn * 0.0046, sub=1, band="DCS1800"))
    return out


def test_the_real_sacch_si5_feeds_the_cell():
    """The SI5 on the real cell's SACCH (TS 44.018 §9.1.37) joins its SI: the B4 frame without the L1
    header (the phone's power and timing advance), its neighbour list under sacch_neighbours, as SI2's."""
    tracker = CellTracker()
    for fn, octets in sorted(expected_bcch_ts0().items()):
        tracker.add_block(_block(octets, fn, channel=multiframe.block_starting_at(fn, combined=False).channel.value))
    for b in _real_ts1_blocks():
        tracker.add_block(b)
    (cell,) = tracker.cells.values()
    obj = cell_object(cell)
    assert list(obj["si"]) == ["1", "2", "2ter", "2quater", "3", "4", "13", "5"]
    assert obj["si"]["5"] == "030349061d9f6d1810800000000000000000000000"  # gr-gsm's block less "00 01"
    assert obj["params"]["sacch_neighbours"] == [730, 733, 734, 741, 746] == sorted(cell.si["2"].neighbours)
    # the operator tells the two lists apart with BA-IND (TS 44.018 §10.5.2.22): 0 on the BCCH, 1 on the SACCH
    assert obj["params"]["sacch_ba_ind"] == 1 and obj["params"]["ba_ind"] == 0
    assert tracker.parse_errors == 0 and cell.changes == []


def _sacch(message: bytes, ta: int = 1, **kw) -> L2Block:
    from sensor.sim.procedure import sacch_block

    return _block(sacch_block(message, timing_advance_symbols=ta), 1000, arfcn=62, bsic=5, channel="SACCH", **kw)


def test_si6_feeds_the_cell_and_an_identity_unlike_si3_is_a_fake_sign():
    from sensor.detect.detector import Detector
    from sensor.detect.judge import judge_cells
    from sensor.sim.procedure import sacch_messages

    p = CellParams(mcc="460", mnc="00", lac=10, cell_id=1, arfcn=62, neighbours=(60, 66))
    si = build_all(p)
    si5, si6 = sacch_messages(p)
    tracker = CellTracker()
    for t in ("1", "2", "3", "4"):
        tracker.add_block(_block(next(v for k, v in si.items() if k.value == t), arfcn=62, bsic=5))
    tracker.add_block(_sacch(si5, ta=3))
    tracker.add_block(_sacch(si6, ta=3))
    tracker.add_block(_sacch(si6, ta=9))  # another phone, farther: the same SI6, not a change
    tracker.add_block(_sacch(b"\x00" * 19, crc_ok=False))  # a ciphered SACCH block: nothing read
    cell = tracker.cells[(62, 5)]
    obj = cell_object(cell)
    assert obj["si"]["6"] == "0303" + si6.hex() and obj["si"]["5"] == "0303" + si5.hex()
    params = obj["params"]
    sacch_identity = (params["sacch_mcc"], params["sacch_mnc"], params["sacch_lac"], params["sacch_cell_id"])
    assert sacch_identity == ("460", "00", 10, 1)
    assert params["sacch_neighbours"] == [60, 66] and cell.changes == [] and cell.blocks_failed == 1
    (judged,) = judge_cells([cell], Detector.from_config())
    assert "sacch_identity" not in {r["rule"] for r in judged["reasons"]}

    _, other = sacch_messages(dataclasses.replace(p, lac=11, cell_id=7))
    tracker.add_block(_sacch(other, t_s=5.0))
    assert cell.changes[-1].si_type == "6" and cell.changes[-1].changed[0] == "identity"
    (judged,) = judge_cells([cell], Detector.from_config())
    reason = next(r for r in judged["reasons"] if r["rule"] == "sacch_identity")
    assert "460-00 LAC 10 CI 1" in reason["detail"] and "LAC 11 CI 7" in reason["detail"]
    assert judged["verdict"] == "fake"


def test_sacch_blocks_that_are_not_si_are_left_alone_and_bad_si_counted():
    tracker = CellTracker()
    tracker.add_block(_block(bytes.fromhex("0001030301") + b"\x2b" * 18, arfcn=62, bsic=5, channel="SACCH"))  # fill
    tracker.add_block(_block(bytes.fromhex("00010f0349061d") + b"\x00" * 16, arfcn=62, bsic=5, channel="SACCH"))
    assert tracker.parse_errors == 0 and tracker.cells[(62, 5)].si_octets == {}
    tracker.add_block(_block(bytes.fromhex("0001030349061e") + b"\xff" * 16, arfcn=62, bsic=5, channel="SACCH"))
    assert tracker.parse_errors == 1 and tracker.cells[(62, 5)].si_octets == {}


def test_what_a_cell_keeps_is_bounded_over_a_long_drive(monkeypatch):
    """Readings and frequency readings are thinned at their bound (the whole drive kept, evenly, at a
    coarser step); SI changes beyond CHANGES_KEEP are kept only when they change something new,
    so the si_changed rule's names and first time stay exact."""
    import numpy as np

    from sensor import cells
    from sensor.model import FcchEstimate

    monkeypatch.setattr(cells, "READINGS_KEEP", 64)
    monkeypatch.setattr(cells, "FREQUENCY_READINGS_KEEP", 16)
    a = build_all(CellParams(mcc="460", mnc="00", lac=10, cell_id=1, arfcn=62, t3212_min=60))
    b = build_all(CellParams(mcc="460", mnc="00", lac=10, cell_id=1, arfcn=62, t3212_min=6))
    si3 = [next(v for k, v in p.items() if k.value == "3") for p in (a, b)]
    c = build_all(CellParams(mcc="460", mnc="00", lac=10, cell_id=1, arfcn=62, t3212_min=6, cro_db=40))
    si3c = next(v for k, v in c.items() if k.value == "3")
    tracker = CellTracker()
    n = 2000  # a block every 0.25 s: 500 s, SI3 alternating between two versions
    for k in range(n):
        pos = {"lat_deg": 31.0 + k * 1e-5, "lon_deg": 121.0}
        octets = si3c if k == n - 10 else si3[k % 2]
        tracker.add_block(_block(octets, arfcn=62, bsic=5, t_s=k * 0.25, rssi_dbfs=-40.0), pos)
    rng = np.random.default_rng(1)
    for k in range(int(500 / 0.047)):  # FCCH bursts every 47 ms, 1-s frequency readings
        e = FcchEstimate(62, 5, "GSM900", float(rng.normal(100.0, 5.0)), 5.0, 20.0, k * 0.047, None)
        tracker.add_fcch(e, None)
    tracker.finish_readings()
    cell = tracker.cells[(62, 5)]
    assert len(cell.readings) <= 64 and cell.readings[0][3] == 0.0 and cell.readings[-1][3] >= 500 - 8
    steps = np.diff([r[3] for r in cell.readings])
    assert steps.max() <= cell.reading_every_s + 0.25 and cell.reading_every_s >= 8.0  # even, coarser
    fr = cell.frequency_readings
    assert len(fr) <= 16 and fr[0].t_s < 1.0 and fr[-1].t_s > 450 and all(r.n_bursts >= 3 for r in fr)
    assert cell.changes_seen == n - 1 and len(cell.changes) <= cells.CHANGES_KEEP + 2
    names = {name for ch in cell.changes for name in ch.changed}
    assert {"t3212_min", "cro_db"} <= names and cell.changes[0].t_s == 0.25  # the CRO change late in the drive kept
