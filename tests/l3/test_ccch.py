"""CCCH message builders and the classifier the cell tracker uses, round trip; the simulator's traffic."""

from __future__ import annotations

import pytest

from sensor.l3.ccch import classify_ccch, immediate_assignment, paging_request_1
from sensor.l3.cell import CellParams
from sensor.sim.c0 import EMPTY_PAGING, C0Config


def test_empty_page_is_the_idle_fill_seen_on_real_networks():
    # gr-gsm prints this block on every idle PCH: 15 06 21 00 01 f0 2b ...
    assert paging_request_1(None).hex() == "1506210001f0" + "2b" * 17
    assert classify_ccch(paging_request_1(None)) == "paging_request_1_empty"


def test_round_trip():
    page = paging_request_1(0x12345678)
    assert len(page) == 23 and page[0] == (9 << 2 | 1) and page[5] == 0xF4 and page[6:10] == bytes.fromhex("12345678")
    assert classify_ccch(page) == "paging_request_1"
    ia = immediate_assignment(arfcn=700, tn=3, tsc=5, ra=0x2A, fn=12345)
    assert len(ia) == 23 and classify_ccch(ia) == "immediate_assignment"
    assert ia[4] == 0x43 and ia[5] == (5 << 5 | 700 >> 8) and ia[6] == 700 & 0xFF and ia[7] == 0x2A
    assert classify_ccch(bytes.fromhex("01030103") + bytes(19)) is None  # not RR (LAPDm fill)
    assert classify_ccch(bytes([0x01, 0x06, 0x99]) + bytes(20)) == "other"


@pytest.mark.parametrize(("traffic", "pages", "assignments"), [("idle", 0, 0), ("live", 1, 1), ("catcher", 0, 1)])
def test_simulated_ccch_traffic(traffic, pages, assignments):
    cfg = C0Config.from_params(21, CellParams(arfcn=62), traffic)
    blocks = [cfg.ccch_frame(fn) for fn in range(0, 51 * 200, 5)]
    kinds = [classify_ccch(b) for b in blocks]
    assert (kinds.count("paging_request_1") > 0) == bool(pages)
    assert (kinds.count("immediate_assignment") > 0) == bool(assignments)
    assert len(set(blocks)) <= 1 + 16 + 16  # bounded pools: the generator's cache stays small
    assert blocks == [cfg.ccch_frame(fn) for fn in range(0, 51 * 200, 5)]  # deterministic
    assert EMPTY_PAGING in blocks


def test_unknown_traffic_is_refused():
    with pytest.raises(ValueError, match="unknown CCCH traffic"):
        C0Config.from_params(21, CellParams(), "busy")
