"""Hypothesis strategies shared by the L3 tests: ARFCN lists per frequency list format, cell parameters."""

from __future__ import annotations

from hypothesis import strategies as st

from sensor.l3.cell import CellParams
from sensor.l3.freqlist import FreqListFormat
from sensor.l3.ie import CCCH_CONF, TX_INTEGER_SLOTS

# (range of ORIG-relative offsets, most ARFCNs) per ORIG-based format, TS 44.018 §10.5.2.13.4-.7
_ORIG_FORMATS = {
    FreqListFormat.RANGE_512: (512, 18),
    FreqListFormat.RANGE_256: (256, 22),
    FreqListFormat.RANGE_128: (128, 29),
    FreqListFormat.VARIABLE_BITMAP: (112, 112),
}


@st.composite
def arfcn_lists(draw, fmt: FreqListFormat) -> list[int]:
    """Lists that fit ``fmt`` in 16 octets, from empty/one element up to the format's capacity."""
    if fmt is FreqListFormat.BITMAP_0:
        return draw(st.lists(st.integers(1, 124), unique=True, max_size=124))
    if fmt is FreqListFormat.RANGE_1024:
        rest = draw(st.lists(st.integers(1, 1023), unique=True, min_size=0, max_size=16))
        with_zero = draw(st.booleans()) or not rest
        return rest + ([0] if with_zero else [])
    span, most = _ORIG_FORMATS[fmt]
    orig = draw(st.integers(0, 1023))
    offsets = draw(st.lists(st.integers(1, span - 1), unique=True, max_size=most - 1))
    return [orig] + [(orig + o) % 1024 for o in offsets]


any_format = st.sampled_from(list(FreqListFormat))


@st.composite
def any_arfcn_list(draw) -> list[int]:
    """A list from any format's strategy, or an arbitrary small set of ARFCNs."""
    if draw(st.booleans()):
        return draw(arfcn_lists(draw(any_format)))
    return draw(st.lists(st.integers(0, 1023), unique=True, max_size=20))


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def cell_params(draw) -> CellParams:
    mnc_len = draw(st.sampled_from([2, 3]))
    nb_fmt = draw(any_format)
    cc_fmt = draw(any_format)
    ter_fmt = draw(any_format)
    bis = draw(st.one_of(st.just([]), arfcn_lists(FreqListFormat.RANGE_1024)))
    ter = draw(st.one_of(st.just([]), arfcn_lists(ter_fmt)))
    cc = draw(arfcn_lists(cc_fmt).filter(bool))
    power_offset_db = draw(st.sampled_from([None, 0, 2, 4, 6]))
    # SI3 rest octets hold 32 bits: all selection parameters, a power offset and "scheduling if and
    # where" together need 34, so a random cell carries at most one of the last two.
    scheduling_where = draw(st.one_of(st.none(), st.integers(0, 7))) if power_offset_db is None else None
    return CellParams(
        mcc="".join(draw(st.lists(digits, min_size=3, max_size=3))),
        mnc="".join(draw(st.lists(digits, min_size=mnc_len, max_size=mnc_len))),
        lac=draw(st.integers(0, 0xFFFF)),
        cell_id=draw(st.integers(0, 0xFFFF)),
        arfcn=draw(st.integers(0, 1023)),
        cell_channels=tuple(cc),
        cell_channel_format=cc_fmt,
        neighbours=tuple(draw(arfcn_lists(nb_fmt))),
        neighbour_format=nb_fmt,
        neighbours_bis=tuple(bis),
        neighbours_ter=tuple(ter),
        neighbour_ter_format=ter_fmt if ter else None,
        ba_ind=draw(st.integers(0, 1)),
        multiband_reporting=draw(st.integers(0, 3)),
        ncc_permitted=tuple(draw(st.lists(st.integers(0, 7), unique=True).map(sorted))),
        mscr=draw(st.booleans()),
        att=draw(st.booleans()),
        bs_ag_blks_res=draw(st.integers(0, 7)),
        ccch_conf=draw(st.sampled_from(sorted(CCCH_CONF))),
        bs_pa_mfrms=draw(st.integers(2, 9)),
        t3212_min=6 * draw(st.integers(0, 255)),
        cbq3=draw(st.integers(0, 3)),
        dn_ind=draw(st.booleans()),
        pwrc=draw(st.booleans()),
        dtx=draw(st.integers(0, 2)),
        radio_link_timeout_blocks=4 * draw(st.integers(1, 16)),
        cell_reselect_hysteresis_db=2 * draw(st.integers(0, 7)),
        ms_txpwr_max_cch=draw(st.integers(0, 31)),
        acs=draw(st.booleans()),
        neci=draw(st.booleans()),
        rxlev_access_min_dbm=draw(st.integers(-110, -47)),
        max_retrans=draw(st.sampled_from([1, 2, 4, 7])),
        tx_integer_slots=draw(st.sampled_from(TX_INTEGER_SLOTS)),
        cell_barred=draw(st.booleans()),
        call_reestablishment_allowed=draw(st.booleans()),
        emergency_calls_barred=draw(st.booleans()),
        access_classes_barred=tuple(
            draw(st.lists(st.sampled_from([c for c in range(16) if c != 10]), unique=True).map(sorted))
        ),
        cbq=draw(st.booleans()),
        cro_db=draw(st.one_of(st.none(), st.integers(0, 63).map(lambda v: 2 * v))),
        temporary_offset_db=draw(st.one_of(st.none(), st.integers(0, 6).map(lambda v: 10 * v))),
        penalty_time_s=draw(st.one_of(st.none(), st.integers(1, 31).map(lambda v: 20 * v))),
        power_offset_db=power_offset_db,
        early_classmark_sending=draw(st.booleans()),
        scheduling_where=scheduling_where,
        gprs=draw(st.booleans()),
        ra_colour=draw(st.integers(0, 7)),
        si13_position=draw(st.integers(0, 1)),
        rac=draw(st.integers(0, 255)),
        nmo=draw(st.integers(0, 2)),
        bcch_change_mark=draw(st.integers(0, 7)),
        nch_position=draw(st.one_of(st.none(), st.integers(0, 27))),
        band_indicator_1900=draw(st.booleans()),
        si2quater=draw(st.booleans()),
        utran_fdd=tuple(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, 16383), st.lists(st.integers(0, 1023), unique=True, max_size=4).map(tuple)
                    ),
                    max_size=1,
                )
            )
        ),
        eutran_earfcns=tuple(draw(st.lists(st.integers(0, 65535), unique=True, max_size=2))),
        eutran_priority=draw(st.one_of(st.none(), st.integers(0, 7))),
        eutran_thresh_high=draw(st.integers(0, 31)),
    )
