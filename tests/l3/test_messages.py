"""SI builders and parsers: build → parse round trips over random cells, typed errors on any octets."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.errors import DecodeError
from sensor.l2.ts44006 import FILL_OCTET, FRAME_OCTETS
from sensor.l3.cell import CellParams, build_all, build_si2quater, build_si3, build_si4
from sensor.l3.errors import L3EncodeError, L3ParseError, NotSystemInformation, TruncatedMessage
from sensor.l3.ie import ChannelDescription
from sensor.l3.messages import (
    SIType,
    SystemInformation3,
    SystemInformation4,
    parse_si,
    si_type_of,
)
from sensor.l3.ts24007 import PD_RR
from sensor.l3.ts44018 import L2_PSEUDO_LENGTH, MESSAGE_TYPE
from tests.l3.strategies import cell_params

SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _check_rach(si, p: CellParams):
    r = si.rach_control
    assert r.max_retrans == p.max_retrans
    assert r.tx_integer_slots == p.tx_integer_slots
    assert r.cell_bar_access == p.cell_barred
    assert r.re == (not p.call_reestablishment_allowed)
    assert r.emergency_calls_barred == p.emergency_calls_barred
    assert r.access_classes_barred == tuple(sorted(p.access_classes_barred))


def _check_selection(ro, p: CellParams):
    sel = ro.selection_parameters
    if p.cro_db is None:
        assert sel is None
    else:
        assert sel.cbq == p.cbq
        assert sel.cell_reselect_offset_db == p.cro_db
        assert sel.temporary_offset_db == p.temporary_offset_db
        assert sel.penalty_time_s == p.penalty_time_s
    assert ro.power_offset_db == p.power_offset_db
    if p.gprs:
        assert ro.gprs_indicator.ra_colour == p.ra_colour and ro.gprs_indicator.si13_position == p.si13_position
    else:
        assert ro.gprs_indicator is None


def _buildable(p: CellParams):
    try:
        return build_all(p)
    except L3EncodeError:
        # Only SI2quater may legitimately overflow its 20 octets with the random UTRAN/E-UTRAN lists
        if not p.sends_si2quater:
            raise
        return build_all(CellParams(**{**_asdict(p), "utran_fdd": (), "eutran_earfcns": ()}))


def _asdict(p: CellParams) -> dict:
    return {name: getattr(p, name) for name in p.__dataclass_fields__}


@SETTINGS
@given(p=cell_params())
def test_every_si_type_round_trips_through_build_and_parse(p):
    frames = _buildable(p)
    for si_type, l2 in frames.items():
        assert len(l2) == FRAME_OCTETS
        assert si_type_of(l2) is si_type
        assert l2[1] == PD_RR and l2[2] == MESSAGE_TYPE[si_type]
        si = parse_si(l2)
        assert si.si_type is si_type
        assert si.to_l2() == l2  # encoders beside decoders: byte-exact
        json.dumps(si.as_dict())
        json.dumps(si.params())

    si1 = parse_si(frames[SIType.SI1])
    assert si1.cell_channels == tuple(sorted(set(p.cell_channels)))
    assert si1.cell_channel_description.format is p.cell_channel_format
    assert si1.rest_octets.nch_position == p.nch_position
    assert si1.rest_octets.band_indicator_1900 == p.band_indicator_1900
    _check_rach(si1, p)

    si2 = parse_si(frames[SIType.SI2])
    assert si2.neighbours == tuple(sorted(set(p.neighbours)))
    assert si2.bcch_frequency_list.ba_ind == p.ba_ind
    assert si2.bcch_frequency_list.ext_ind == bool(p.neighbours_bis)
    assert si2.ncc_permitted == p.ncc_permitted
    _check_rach(si2, p)

    if p.neighbours_bis:
        si2bis = parse_si(frames[SIType.SI2BIS])
        assert si2bis.neighbours == tuple(sorted(set(p.neighbours_bis)))
    if p.neighbours_ter:
        si2ter = parse_si(frames[SIType.SI2TER])
        assert si2ter.neighbours == tuple(sorted(set(p.neighbours_ter)))
        assert si2ter.extended_bcch_frequency_list.multiband_reporting == p.multiband_reporting

    si3 = parse_si(frames[SIType.SI3])
    assert (si3.mcc, si3.mnc, si3.lac, si3.cell_id) == (p.mcc, p.mnc, p.lac, p.cell_id)
    ccd = si3.control_channel_description
    assert (ccd.mscr, ccd.att, ccd.bs_ag_blks_res, ccd.ccch_conf, ccd.cbq3) == (
        p.mscr,
        p.att,
        p.bs_ag_blks_res,
        p.ccch_conf,
        p.cbq3,
    )
    assert (ccd.bs_pa_mfrms, ccd.t3212_min) == (p.bs_pa_mfrms, p.t3212_min)
    co = si3.cell_options
    assert (co.dn_ind, co.pwrc, co.dtx, co.radio_link_timeout_blocks) == (
        p.dn_ind,
        p.pwrc,
        p.dtx,
        p.radio_link_timeout_blocks,
    )
    for si in (si3, parse_si(frames[SIType.SI4])):
        csp = si.cell_selection_parameters
        assert csp.cell_reselect_hysteresis_db == p.cell_reselect_hysteresis_db
        assert csp.ms_txpwr_max_cch == p.ms_txpwr_max_cch
        assert csp.rxlev_access_min_dbm == p.rxlev_access_min_dbm
        assert (csp.acs, csp.neci) == (p.acs, p.neci)
        _check_rach(si, p)
        _check_selection(si.rest_octets, p)
    ro3 = si3.rest_octets
    assert ro3.si2ter_indicator == bool(p.neighbours_ter)
    assert ro3.si2quater_indicator == p.sends_si2quater
    assert ro3.early_classmark_sending == p.early_classmark_sending
    assert ro3.scheduling_where == p.scheduling_where

    params = si3.params()
    assert params["t3212_min"] == p.t3212_min and params["cro_db"] == p.cro_db and params["gprs"] == p.gprs
    assert params["rxlev_access_min_dbm"] == p.rxlev_access_min_dbm and params["cell_barred"] == p.cell_barred

    if p.gprs:
        si13 = parse_si(frames[SIType.SI13])
        assert si13.rest_octets.rac == p.rac and si13.rest_octets.gprs_cell_options.nmo == p.nmo
        assert si13.rest_octets.bcch_change_mark == p.bcch_change_mark
    if SIType.SI2QUATER in frames:
        ro = parse_si(frames[SIType.SI2QUATER]).rest_octets
        assert ro.complete
        if p.utran_fdd and frames is not None and ro.utran_neighbours:
            assert [(u.uarfcn, u.cell_parameters) for u in ro.utran_neighbours] == [
                (u, tuple(sorted(c))) for u, c in p.utran_fdd
            ]


def test_si2quater_carries_utran_and_eutran_neighbours():
    p = CellParams(
        utran_fdd=((10700, (0, 5, 12, 300, 511)),),
        eutran_earfcns=(6300, 1300),
        eutran_priority=5,
        eutran_thresh_high=10,
    )
    si = parse_si(build_si2quater(p))
    ro = si.rest_octets
    assert ro.uarfcns == (10700,) and ro.utran_neighbours[0].scrambling_codes == (0, 5, 12, 300, 511)
    assert (
        ro.earfcns == (1300, 6300)
        and ro.eutran_neighbours[0].priority == 5
        and ro.eutran_neighbours[0].thresh_high == 10
    )
    assert si.params()["utran_uarfcns"] == [10700] and si.params()["eutran_earfcns"] == [1300, 6300]


def test_si2quater_that_does_not_fit_raises_encode_error():
    p = CellParams(utran_fdd=((10700, tuple(range(1, 17))), (10563, tuple(range(20, 30)))), eutran_earfcns=(1, 2, 3))
    with pytest.raises(L3EncodeError):
        build_si2quater(p)


def test_si4_with_cbch_sets_the_pseudo_length():
    cbch = ChannelDescription(0b00101, tn=0, tsc=3, arfcn=600)
    l2 = build_si4(CellParams(cbch=cbch))
    assert l2[0] >> 2 == 12 + 4
    si = parse_si(l2)
    assert isinstance(si, SystemInformation4) and si.cbch_channel_description == cbch and si.params()["cbch"]
    hop = ChannelDescription(0b01000, tn=1, tsc=7, maio=33, hsn=12)
    si = parse_si(
        SystemInformation4(
            si.lai, si.cell_selection_parameters, si.rach_control, si.rest_octets, hop, b"\x81\x02"
        ).to_l2()
    )
    assert si.cbch_channel_description == hop and si.cbch_mobile_allocation == b"\x81\x02" and si.l2_pseudo_length == 20


@pytest.mark.parametrize(
    ("mcc", "mnc", "octets"),
    [
        ("262", "02", "62f220"),
        ("272", "02", "72f220"),
        ("310", "260", "130062"),
        ("001", "001", "001100"),
        ("460", "00", "64f000"),
    ],
)
def test_lai_bcd_rules(mcc, mnc, octets):
    l2 = build_si3(CellParams(mcc=mcc, mnc=mnc, lac=0x1234))
    assert l2[5:8].hex() == octets
    si = parse_si(l2)
    assert (si.mcc, si.mnc, si.lac) == (mcc, mnc, 0x1234)


@pytest.mark.parametrize(
    "bad",
    [
        dict(mcc="26"),
        dict(mnc="1"),
        dict(mnc="1234"),
        dict(mcc="2a2"),
        dict(t3212_min=7),
        dict(t3212_min=1536),
        dict(cro_db=3),
        dict(cro_db=128),
        dict(cro_db=0, temporary_offset_db=15),
        dict(cro_db=0, penalty_time_s=0),
        dict(rxlev_access_min_dbm=-111),
        dict(rxlev_access_min_dbm=-46),
        dict(cell_reselect_hysteresis_db=3),
        dict(bs_pa_mfrms=1),
        dict(bs_ag_blks_res=8),
        dict(ms_txpwr_max_cch=32),
        dict(lac=70000),
        dict(tx_integer_slots=13),
        dict(power_offset_db=1),
    ],
)
def test_out_of_range_parameters_raise_encode_error(bad):
    with pytest.raises(L3EncodeError):
        build_si3(CellParams(**bad))


# --------------------------------------------------------------------------- malformed input

SI_HEADERS = [bytes([(L2_PSEUDO_LENGTH[t] << 2) | 1, PD_RR, MESSAGE_TYPE[t]]) for t in SIType]


@settings(max_examples=4000, deadline=None)
@given(octets=st.binary(min_size=0, max_size=30), strict=st.booleans())
def test_random_octets_never_raise_anything_but_a_decode_error(octets, strict):
    try:
        si = parse_si(octets, strict=strict)
    except L3ParseError as exc:
        assert isinstance(exc, DecodeError)
        return
    json.dumps(si.as_dict())
    json.dumps(si.params())


@settings(max_examples=6000, deadline=None)
@given(
    header=st.sampled_from(SI_HEADERS),
    body=st.binary(min_size=20, max_size=20),
    plen=st.integers(0, 63),
    strict=st.booleans(),
)
def test_random_si_bodies_parse_or_raise_a_decode_error(header, body, plen, strict):
    """Valid SI headers with random bodies reach every IE and rest-octet parser."""
    if plen % 3 == 0:
        header = bytes([(plen << 2) | 1]) + header[1:]
    try:
        si = parse_si(header + body, strict=strict)
    except L3ParseError as exc:
        assert isinstance(exc, DecodeError)
        return
    json.dumps(si.as_dict())
    json.dumps(si.params())
    try:
        again = si.to_l2()
    except L3EncodeError:
        return  # not every parsed message can be rebuilt (e.g. rest-octet parts we only flag)
    assert len(again) == FRAME_OCTETS


def test_typed_errors():
    si3 = bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b900008020420b")
    with pytest.raises(TruncatedMessage):
        parse_si(si3[:22])
    with pytest.raises(L3ParseError):
        parse_si(si3 + bytes([FILL_OCTET]))
    with pytest.raises(NotSystemInformation):
        parse_si(bytes.fromhex("150621000001f08b") + bytes([FILL_OCTET]) * 15)  # paging request type 1
    with pytest.raises(NotSystemInformation):
        parse_si(bytes.fromhex("490503") + si3[3:])  # PD 5 (MM)
    with pytest.raises(L3ParseError):
        parse_si(bytes.fromhex("4a") + si3[1:])  # not a pseudo length octet
    with pytest.raises(L3ParseError):
        parse_si(bytes.fromhex("49161b") + si3[3:])  # skip indicator 1
    with pytest.raises(L3ParseError):
        parse_si("not bytes")  # type: ignore[arg-type]
    with pytest.raises(L3ParseError):  # MCC digit 0xA
        parse_si(si3[:5] + b"\x7a" + si3[6:])
    assert si_type_of(b"") is None and si_type_of(si3) is SIType.SI3


def test_lenient_mode_keeps_the_fixed_part_when_rest_octets_are_malformed():
    # SI13 whose GPRS Mobile Allocation announces RFL numbers up to the end and beyond
    l2 = bytes.fromhex("010600") + b"\xff" * 20
    with pytest.raises(TruncatedMessage):
        parse_si(l2)
    si = parse_si(l2, strict=False)
    assert si.rest_octets is None and "past" in si.rest_octets_error
    # SI3 whose rest octets announce a field in the last bit that does not fit
    l2 = bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b90000c5d71484")
    with pytest.raises(TruncatedMessage):
        parse_si(l2)
    si3 = parse_si(l2, strict=False)
    assert isinstance(si3, SystemInformation3) and si3.cell_id == 15149 and si3.rest_octets is None
    assert si3.params()["t3212_min"] == 360 and "cro_db" not in si3.params()


def test_si7_and_si8_rest_octets_parse_and_round_trip():
    from sensor.l3.cell import CellParams, build_all
    from sensor.l3.messages import SIType, SystemInformation7, SystemInformation8, parse_si

    si4 = parse_si(build_all(CellParams(cro_db=20, temporary_offset_db=10, penalty_time_s=40, gprs=True))[SIType.SI4])
    for cls, mt in ((SystemInformation7, 0x1F), (SystemInformation8, 0x18)):
        l2 = cls(si4.rest_octets).to_l2()
        assert len(l2) == FRAME_OCTETS and l2[1] == PD_RR and l2[2] == mt and l2[0] == (1 << 2) | 1
        msg = parse_si(l2)
        assert isinstance(msg, cls) and msg.to_l2() == l2
        assert msg.params()["cro_db"] == 20 and msg.params()["penalty_time_s"] == 40
