"""Build the BCCH System Information set of a cell from typed parameters (simulator, tests).

:class:`CellParams` holds what a network operator configures, in units (``t3212_min``,
``cro_db``, ``rxlev_access_min_dbm`` ...); ``build_*`` return 23-octet L2 frames that
:func:`sensor.l3.messages.parse_si` parses back to the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

from .freqlist import FreqListFormat, FrequencyList, ListIE, choose_format
from .ie import (
    CellOptionsBcch,
    CellSelectionParameters,
    ChannelDescription,
    ControlChannelDescription,
    LocationAreaIdentification,
    RachControlParameters,
)
from .messages import (
    SIType,
    SystemInformation1,
    SystemInformation2,
    SystemInformation2bis,
    SystemInformation2quater,
    SystemInformation2ter,
    SystemInformation3,
    SystemInformation4,
    SystemInformation13,
)
from .rest_octets import (
    GprsCellOptions,
    GprsIndicator,
    GprsPowerControlParameters,
    SelectionParameters,
    SI1RestOctets,
    SI2terRestOctets,
    SI3RestOctets,
    SI4RestOctets,
    SI13RestOctets,
)
from .si2quater import EutranNeighbours, SI2quaterRestOctets, UtranNeighbourFrequency


@dataclass(frozen=True, slots=True)
class CellParams:
    """Everything the SI builders need. Defaults describe an ordinary GSM900 cell."""

    mcc: str = "001"
    mnc: str = "01"
    lac: int = 1
    cell_id: int = 1
    arfcn: int = 1
    cell_channels: tuple[int, ...] = ()  # SI1 cell allocation; () = just ``arfcn``
    neighbours: tuple[int, ...] = ()  # SI2 BA list
    neighbours_bis: tuple[int, ...] = ()  # SI2bis (sent when not empty)
    neighbours_ter: tuple[int, ...] = ()  # SI2ter (sent when not empty)
    cell_channel_format: FreqListFormat | None = None  # None: chosen like a network would
    neighbour_format: FreqListFormat | None = None
    neighbour_bis_format: FreqListFormat | None = None
    neighbour_ter_format: FreqListFormat | None = None
    ba_ind: int = 0
    multiband_reporting: int = 0
    ncc_permitted: tuple[int, ...] = tuple(range(8))
    # Control Channel Description (§10.5.2.11)
    mscr: bool = True
    att: bool = True
    bs_ag_blks_res: int = 1
    ccch_conf: int = 0
    bs_pa_mfrms: int = 5
    t3212_min: int = 360
    cbq3: int = 0
    # Cell Options (§10.5.2.3)
    dn_ind: bool = False
    pwrc: bool = False
    dtx: int = 2
    radio_link_timeout_blocks: int = 32
    # Cell Selection Parameters (§10.5.2.4)
    cell_reselect_hysteresis_db: int = 4
    ms_txpwr_max_cch: int = 5
    acs: bool = False
    neci: bool = True
    rxlev_access_min_dbm: int = -110
    # RACH Control Parameters (§10.5.2.29)
    max_retrans: int = 4
    tx_integer_slots: int = 32
    cell_barred: bool = False
    call_reestablishment_allowed: bool = True
    emergency_calls_barred: bool = False
    access_classes_barred: tuple[int, ...] = ()
    # Optional Selection Parameters of the SI3/SI4 rest octets; cro_db None = not broadcast
    cbq: bool = False
    cro_db: int | None = None
    temporary_offset_db: int | None = 0  # None: infinity (code 7)
    penalty_time_s: int | None = 20  # None: code 31 (CRO subtracted from C2, TEMPORARY_OFFSET ignored)
    power_offset_db: int | None = None
    early_classmark_sending: bool = True
    scheduling_where: int | None = None
    # GPRS
    gprs: bool = True
    ra_colour: int = 0
    si13_position: int = 0
    rac: int = 0
    nmo: int = 1
    bcch_change_mark: int = 0
    # SI1 rest octets
    nch_position: int | None = None
    band_indicator_1900: bool = False
    # SI2quater: sent when ``si2quater`` or any UTRAN/E-UTRAN neighbour
    si2quater: bool = False
    utran_fdd: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (UARFCN, scrambling codes)
    eutran_earfcns: tuple[int, ...] = ()
    eutran_priority: int | None = None
    eutran_thresh_high: int = 0
    # SI4 CBCH
    cbch: ChannelDescription | None = None

    @property
    def sends_si2quater(self) -> bool:
        return self.si2quater or bool(self.utran_fdd) or bool(self.eutran_earfcns)


def _flist(
    arfcns: tuple[int, ...], ie: ListIE, fmt: FreqListFormat | None, p: CellParams, ext_ind: bool = False
) -> FrequencyList:
    return FrequencyList(
        arfcns=tuple(sorted(set(arfcns))),
        format=fmt or choose_format(arfcns),
        ie=ie,
        ba_ind=p.ba_ind if ie is not ListIE.CELL_CHANNEL else None,
        ext_ind=ext_ind if ie is ListIE.NEIGHBOUR else None,
        multiband_reporting=p.multiband_reporting if ie is ListIE.NEIGHBOUR_2 else None,
    )


def _rach(p: CellParams) -> RachControlParameters:
    return RachControlParameters(
        max_retrans=p.max_retrans,
        tx_integer_slots=p.tx_integer_slots,
        cell_bar_access=p.cell_barred,
        re=not p.call_reestablishment_allowed,
        emergency_calls_barred=p.emergency_calls_barred,
        access_classes_barred=tuple(sorted(p.access_classes_barred)),
    )


def _lai(p: CellParams) -> LocationAreaIdentification:
    return LocationAreaIdentification(p.mcc, p.mnc, p.lac)


def _cell_selection(p: CellParams) -> CellSelectionParameters:
    return CellSelectionParameters(
        p.cell_reselect_hysteresis_db, p.ms_txpwr_max_cch, p.acs, p.neci, p.rxlev_access_min_dbm
    )


def _selection(p: CellParams) -> SelectionParameters | None:
    if p.cro_db is None:
        return None
    return SelectionParameters(p.cbq, p.cro_db, p.temporary_offset_db, p.penalty_time_s)


def _gprs_indicator(p: CellParams) -> GprsIndicator | None:
    return GprsIndicator(p.ra_colour, p.si13_position) if p.gprs else None


def build_si1(p: CellParams) -> bytes:
    arfcns = p.cell_channels or (p.arfcn,)
    return SystemInformation1(
        _flist(arfcns, ListIE.CELL_CHANNEL, p.cell_channel_format, p),
        _rach(p),
        SI1RestOctets(p.nch_position, p.band_indicator_1900),
    ).to_l2()


def build_si2(p: CellParams) -> bytes:
    ext = bool(p.neighbours_bis)  # EXT-IND: the BA is continued in SI2bis
    return SystemInformation2(
        _flist(p.neighbours, ListIE.NEIGHBOUR, p.neighbour_format, p, ext_ind=ext), tuple(p.ncc_permitted), _rach(p)
    ).to_l2()


def build_si2bis(p: CellParams) -> bytes:
    return SystemInformation2bis(
        _flist(p.neighbours_bis, ListIE.NEIGHBOUR, p.neighbour_bis_format, p, ext_ind=True), _rach(p)
    ).to_l2()


def build_si2ter(p: CellParams) -> bytes:
    return SystemInformation2ter(
        _flist(p.neighbours_ter, ListIE.NEIGHBOUR_2, p.neighbour_ter_format, p), SI2terRestOctets()
    ).to_l2()


def build_si2quater(p: CellParams) -> bytes:
    utran = tuple(UtranNeighbourFrequency("fdd", u, tuple(sorted(set(codes)))) for u, codes in p.utran_fdd)
    eutran = ()
    if p.eutran_earfcns:
        eutran = (
            EutranNeighbours(
                tuple(p.eutran_earfcns), tuple(None for _ in p.eutran_earfcns), p.eutran_priority, p.eutran_thresh_high
            ),
        )
    ro = SI2quaterRestOctets(
        ba_ind=p.ba_ind,
        three_g_ba_ind=0,
        mp_change_mark=0,
        index=0,
        count=0,
        utran_neighbours=utran,
        eutran_neighbours=eutran,
    )
    return SystemInformation2quater(ro).to_l2()


def build_si3(p: CellParams) -> bytes:
    ro = SI3RestOctets(
        selection_parameters=_selection(p),
        power_offset_db=p.power_offset_db,
        si2ter_indicator=bool(p.neighbours_ter),
        early_classmark_sending=p.early_classmark_sending,
        scheduling_where=p.scheduling_where,
        gprs_indicator=_gprs_indicator(p),
        three_g_early_classmark_sending_follows_ecsc=True,
        si2quater_position=0 if p.sends_si2quater else None,
    )
    return SystemInformation3(
        p.cell_id,
        _lai(p),
        ControlChannelDescription(p.mscr, p.att, p.bs_ag_blks_res, p.ccch_conf, p.cbq3, p.bs_pa_mfrms, p.t3212_min),
        CellOptionsBcch(p.dn_ind, p.pwrc, p.dtx, p.radio_link_timeout_blocks),
        _cell_selection(p),
        _rach(p),
        ro,
    ).to_l2()


def build_si4(p: CellParams) -> bytes:
    ro = SI4RestOctets(_selection(p), p.power_offset_db, _gprs_indicator(p))
    return SystemInformation4(_lai(p), _cell_selection(p), _rach(p), ro, p.cbch).to_l2()


def build_si13(p: CellParams) -> bytes:
    ro = SI13RestOctets(
        present=True,
        bcch_change_mark=p.bcch_change_mark,
        si_change_field=0,
        rac=p.rac,
        spgc_ccch_sup=False,
        priority_access_thr=6,
        network_control_order=0,
        gprs_cell_options=GprsCellOptions(
            nmo=p.nmo,
            t3168_ms=1000,
            t3192_ms=500,
            drx_timer_max_s=0,
            access_burst_type=0,
            control_ack_type=1,
            bs_cv_max=15,
            pan_dec=1,
            pan_inc=1,
            pan_max=7,
            egprs_supported=False,
            pfc_feature_mode=False,
            dtm_support=False,
            bss_paging_coordination=False,
            ccn_active=False,
            nw_ext_utbf=False,
        ),
        gprs_power_control=GprsPowerControlParameters(alpha=0, t_avg_w=16, t_avg_t=16, pc_meas_chan=0, n_avg_i=15),
        sgsnr=True,
        si_status_ind=False,
    )
    return SystemInformation13(ro).to_l2()


def build_all(p: CellParams) -> dict[SIType, bytes]:
    """Every SI message the cell broadcasts: SI1, SI2, SI3, SI4, plus SI2bis/SI2ter/SI2quater/SI13 when configured."""
    out = {SIType.SI1: build_si1(p), SIType.SI2: build_si2(p), SIType.SI3: build_si3(p), SIType.SI4: build_si4(p)}
    if p.neighbours_bis:
        out[SIType.SI2BIS] = build_si2bis(p)
    if p.neighbours_ter:
        out[SIType.SI2TER] = build_si2ter(p)
    if p.sends_si2quater:
        out[SIType.SI2QUATER] = build_si2quater(p)
    if p.gprs:
        out[SIType.SI13] = build_si13(p)
    return out
