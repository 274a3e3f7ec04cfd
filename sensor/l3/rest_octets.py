"""Rest octets of SI1, SI2bis, SI2ter, SI3, SI4 and SI13 (CSN.1), each declared once (:mod:`.csn1`).

TS 44.018 §10.5.2.32 (SI1), §10.5.2.33 (SI2bis), §10.5.2.33a (SI2ter), §10.5.2.34 (SI3),
§10.5.2.35 (SI4), §10.5.2.37b (SI13) with the GPRS Cell Options of TS 44.060 §12.24 and the
GPRS Power Control Parameters of §10.5.2.37b. ``L``/``H`` bits are relative to the 0x2B spare
padding (see :mod:`sensor.l3.bits`); ``0``/``1`` bits are literal.

Each ``parse`` takes the rest octets (octet aligned in the message) and raises
:class:`L3ParseError` when a field announced as present runs past the end; each ``to_bytes``
writes them padded with spare padding to the length the message gives them.

Example, the SI3 rest octets of a real cell (captures/README.md, gsmsp 2007, SI3 octets 20-23)::

    80 20 42 0b = 1000 0000 0010 0000 0100 0010 0000 1011 against padding 0010 1011 ...
    H    Optional Selection Parameters: CBQ 0, CRO 0 (0 dB), TEMPORARY_OFFSET 0, PENALTY_TIME 0 (20 s)
    L    no Power Offset;  L  no SI2ter;  L  Early Classmark Sending not accepted
    L    no Scheduling;    H  GPRS Indicator: RA COLOUR 0, SI13 POSITION 0 (BCCH Norm)
    L, L, L  3G ECSR L, no SI2quater, no SI21; then spare padding
"""

from __future__ import annotations

from dataclasses import dataclass

from .csn1 import (
    LH,
    Bit,
    Bits,
    Choice,
    CsnStruct,
    Extension,
    Needs,
    Opt,
    Presence,
    Repeat,
    Skip,
    SkipCounted,
    Stop,
    Struct,
    Unbuildable,
)

# --------------------------------------------------------------------------- tables

# TS 44.018 §10.5.2.34 Table 10.5.2.34.1: POWER_OFFSET code → dB (DCS 1800 class 3 MS)
POWER_OFFSET_DB: tuple[int, ...] = (0, 2, 4, 6)
# TS 44.060 §12.24 Table 12.24.2: T3192 code → ms
T3192_MS: tuple[int, ...] = (500, 1000, 1500, 0, 80, 120, 160, 200)
# TS 44.060 §12.24 Table 12.24.2: DRX_TIMER_MAX code → s (0 and 2^(n-1))
DRX_TIMER_MAX_S: tuple[int, ...] = (0, 1, 2, 4, 8, 16, 32, 64)
# TS 44.018 §10.5.2.32 Table 10.5.2.32.1: SI1 NCH Position code → (NCH blocks, first block)
NCH_POSITION: tuple[tuple[int, int], ...] = (
    (1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6),
    (2, 0), (2, 1), (2, 2), (2, 3), (2, 4), (2, 5),
    (3, 0), (3, 1), (3, 2), (3, 3), (3, 4),
    (4, 0), (4, 1), (4, 2), (4, 3),
    (5, 0), (5, 1), (5, 2),
    (6, 0), (6, 1),
    (7, 0),
)  # fmt: skip


# --------------------------------------------------------------------------- SI1 §10.5.2.32


@dataclass(frozen=True, slots=True)
class SI1RestOctets(CsnStruct):
    """{ L | H <NCH Position : bit (5)> } <Band Indicator : L 1800 | H 1900> <spare padding>."""

    CSN = (Opt((Bits("nch_position", 5),)), LH("band_indicator_1900"))
    OCTETS = 1

    nch_position: int | None = None  # code, see NCH_POSITION
    band_indicator_1900: bool = False  # True: ARFCNs 512..810 are PCS 1900, False: DCS 1800


# --------------------------------------------------------------------------- SI2ter §10.5.2.33a


@dataclass(frozen=True, slots=True)
class SI2terRestOctets(CsnStruct):
    """{ L | H <SI2ter_MP_CHANGE_MARK : bit> <SI2ter_3G_CHANGE_MARK : bit> <SI2ter_INDEX : bit (3)>
    <SI2ter_COUNT : bit (3)> { 0 | 1 <UTRAN FDD Description> } ... }. Only the header is parsed;
    ``utran_fdd_description_present`` says whether 3G neighbours follow. Built without 3G
    descriptions (no UTRAN FDD, no UTRAN TDD, no 3G MEASUREMENT Parameters, no Rel-5 additions)."""

    CSN = (Opt((
        Bits("mp_change_mark", 1), Bits("three_g_change_mark", 1), Bits("index", 3), Bits("count", 3),
        Presence("utran_fdd_description_present"),
        Stop(writes=((0, 1), (0, 1), "L")),
    ), flag="present"),)  # fmt: skip
    OCTETS = 4

    present: bool = False
    mp_change_mark: int | None = None
    three_g_change_mark: int | None = None
    index: int | None = None
    count: int | None = None
    utran_fdd_description_present: bool | None = None


# --------------------------------------------------------------------------- SI3/SI4 shared parts §10.5.2.34/35


@dataclass(frozen=True, slots=True)
class SelectionParameters(CsnStruct):
    """Optional Selection Parameters (TS 44.018 §10.5.2.34, TS 45.008 §9 Table 1).

    ``temporary_offset_db`` is None when TEMPORARY_OFFSET = 7 (infinity);
    ``penalty_time_s`` is None when PENALTY_TIME = 31, the code that means "CELL_RESELECT_OFFSET
    is subtracted from C2 and TEMPORARY_OFFSET is ignored".
    """

    CSN = (
        Bit("cbq"),
        Bits("cell_reselect_offset_db", 6, scale=2),  # 0..126 dB step 2
        Bits("temporary_offset_db", 3, scale=10, none_code=7),  # 0..60 dB step 10, 7: infinity
        Bits("penalty_time_s", 5, scale=20, offset=1, none_code=31),  # 20..620 s step 20
    )

    cbq: bool  # CELL_BAR_QUALIFY
    cell_reselect_offset_db: int  # CELL_RESELECT_OFFSET, 0..126 dB step 2
    temporary_offset_db: int | None  # TEMPORARY_OFFSET, 0..60 dB step 10; None = infinity
    penalty_time_s: int | None  # PENALTY_TIME, 20..620 s step 20; None = code 31

    @property
    def temporary_offset_infinite(self) -> bool:
        return self.temporary_offset_db is None

    @property
    def penalty_time_subtracts_cro(self) -> bool:
        return self.penalty_time_s is None


@dataclass(frozen=True, slots=True)
class GprsIndicator(CsnStruct):
    """GPRS Indicator (TS 44.018 §10.5.2.34): GPRS is supported in the cell."""

    CSN = (Bits("ra_colour", 3), Bits("si13_position", 1))

    ra_colour: int  # 0..7
    si13_position: int  # 0: SI13 on BCCH Norm, 1: on BCCH Ext


# { L | H <POWER OFFSET : bit (2)> } (§10.5.2.34, §10.5.2.35)
POWER_OFFSET = Opt((Bits("power_offset_db", 2, table=POWER_OFFSET_DB),))


# --------------------------------------------------------------------------- SI3 §10.5.2.34


@dataclass(frozen=True, slots=True)
class SI3RestOctets(CsnStruct):
    """TS 44.018 §10.5.2.34 SI 3 Rest Octets (4 octets).

    After the SI2quater Indicator comes the System Information 21 Indicator, as Wireshark 4.0
    dissects it; later additions are not parsed (they read as spare padding)."""

    CSN = (
        Opt((Struct("selection_parameters", SelectionParameters),)),
        POWER_OFFSET,
        LH("si2ter_indicator"),
        LH("early_classmark_sending"),
        Opt((Bits("scheduling_where", 3),)),  # Scheduling if and where
        Opt((Struct("gprs_indicator", GprsIndicator),)),
        LH("three_g_early_classmark_sending_follows_ecsc"),
        Opt((Bits("si2quater_position", 1),)),  # SI2quater Indicator
        Opt((Bits("si21_position", 1),)),  # SI21 Indicator
    )
    OCTETS = 4

    selection_parameters: SelectionParameters | None = None
    power_offset_db: int | None = None
    si2ter_indicator: bool = False  # SYSTEM INFORMATION TYPE 2ter is broadcast
    early_classmark_sending: bool = False  # H: early classmark sending explicitly accepted
    scheduling_where: int | None = None  # WHERE (SI9 position) when "Scheduling if and where" is H
    gprs_indicator: GprsIndicator | None = None  # None: GPRS not supported in the cell
    # 3G Early Classmark Sending Restriction: H (True) = UTRAN/CDMA2000 CLASSMARK CHANGE is sent early
    # as the Early Classmark Sending Control says; L (False) = never sent with early classmark sending
    three_g_early_classmark_sending_follows_ecsc: bool = False
    si2quater_position: int | None = None  # None: no SI2quater; 0: on BCCH Norm, 1: on BCCH Ext
    si21_position: int | None = None  # System Information 21 Indicator present: 0 BCCH Norm, 1 BCCH Ext

    @property
    def si2quater_indicator(self) -> bool:
        return self.si2quater_position is not None


# --------------------------------------------------------------------------- SI4 §10.5.2.35


@dataclass(frozen=True, slots=True)
class SI4RestOctets(CsnStruct):
    """TS 44.018 §10.5.2.35 SI 4 Rest Octets: the "O" part, then { L <Break Indicator> | H <SI4 Rest Octets_S> }.

    The S part (LSA parameters, cell identity, LSA ID) is only flagged, not parsed.
    """

    CSN = (
        Opt((Struct("selection_parameters", SelectionParameters),)),
        POWER_OFFSET,
        Opt((Struct("gprs_indicator", GprsIndicator),)),
        Choice(zero=(LH("break_indicator"),), one=(Stop(unbuildable="building SI4 Rest Octets_S is not supported"),),
               flag="rest_octets_s_present", lh=True),
    )  # fmt: skip
    OCTETS = 10  # without the SI4 CBCH IEs

    selection_parameters: SelectionParameters | None = None
    power_offset_db: int | None = None
    gprs_indicator: GprsIndicator | None = None
    rest_octets_s_present: bool = False
    break_indicator: bool | None = None  # H: additional parameters in SI7/SI8 (only when S is absent)


# --------------------------------------------------------------------------- SI13 §10.5.2.37b


@dataclass(frozen=True, slots=True)
class GprsCellOptions(CsnStruct):
    """TS 44.060 §12.24 GPRS Cell Options (the part of the extension up to Rel-4 is parsed)."""

    CSN = (
        Bits("nmo", 2),
        Bits("t3168_ms", 3, scale=500, offset=1),
        Bits("t3192_ms", 3, table=T3192_MS),
        Bits("drx_timer_max_s", 3, table=DRX_TIMER_MAX_S),
        Bits("access_burst_type", 1),
        Bits("control_ack_type", 1),
        Bits("bs_cv_max", 4),
        Opt((Bits("pan_dec", 3), Bits("pan_inc", 3), Bits("pan_max", 3)), lh=False),
        Opt((Extension("GPRS Cell Options extension", 6, (
            Opt((Bits("egprs_packet_channel_request", 1), Bits("bep_period", 4)), lh=False, flag="egprs_supported"),
            Bit("pfc_feature_mode"), Bit("dtm_support"), Bit("bss_paging_coordination"), Bit("ccn_active"),
            Bit("nw_ext_utbf"),
        )),), lh=False),
    )  # fmt: skip

    nmo: int  # network mode of operation code: 0 = NMO I, 1 = NMO II, 2 = NMO III
    t3168_ms: int
    t3192_ms: int
    drx_timer_max_s: int
    access_burst_type: int  # 0: 8-bit, 1: 11-bit access bursts
    control_ack_type: int  # 0: four access bursts, 1: RLC/MAC control block
    bs_cv_max: int
    pan_dec: int | None = None
    pan_inc: int | None = None
    pan_max: int | None = None
    egprs_supported: bool | None = None  # None: no extension information
    egprs_packet_channel_request: int | None = None
    bep_period: int | None = None
    pfc_feature_mode: bool | None = None
    dtm_support: bool | None = None
    bss_paging_coordination: bool | None = None
    ccn_active: bool | None = None
    nw_ext_utbf: bool | None = None

    @property
    def nmo_name(self) -> str | None:
        return {0: "I", 1: "II", 2: "III"}.get(self.nmo)


@dataclass(frozen=True, slots=True)
class GprsPowerControlParameters(CsnStruct):
    """TS 44.018 §10.5.2.37b GPRS Power Control Parameters struct (TS 45.008 §10.2)."""

    CSN = (Bits("alpha", 4), Bits("t_avg_w", 5), Bits("t_avg_t", 5), Bits("pc_meas_chan", 1), Bits("n_avg_i", 4))

    alpha: int  # ALPHA code 0..10 (× 0.1)
    t_avg_w: int
    t_avg_t: int
    pc_meas_chan: int  # 0: BCCH, 1: PDCH
    n_avg_i: int


# TS 44.060 §12.10a GPRS Mobile Allocation, read past: HSN, RFL number list, then MA_LENGTH + MA_BITMAP
# or an ARFCN index list
GPRS_MOBILE_ALLOCATION = (
    Skip(6), Repeat((Skip(4),)), Choice(zero=(SkipCounted(6, plus=1),), one=(Repeat((Skip(6),)),)),
)  # fmt: skip
UNBUILDABLE_SI13 = "building PBCCH or a GPRS MA is not supported"


@dataclass(frozen=True, slots=True)
class SI13RestOctets(CsnStruct):
    """TS 44.018 §10.5.2.37b SI 13 Rest Octets (PBCCH-less cells parsed in full up to Rel-4)."""

    CSN = (Opt((
        Needs(("gprs_cell_options", "gprs_power_control"), "SI13 needs GPRS cell options and power control"),
        Bits("bcch_change_mark", 3),
        Bits("si_change_field", 4),
        Opt((Bits("si13_change_mark", 2), Unbuildable(UNBUILDABLE_SI13), *GPRS_MOBILE_ALLOCATION),
            lh=False, flag="gprs_mobile_allocation_present"),
        Choice(
            zero=(
                Bits("rac", 8), Bit("spgc_ccch_sup"), Bits("priority_access_thr", 3), Bits("network_control_order", 2),
                Struct("gprs_cell_options", GprsCellOptions), Struct("gprs_power_control", GprsPowerControlParameters),
                Opt((Bit("sgsnr"), Opt((Bit("si_status_ind"),)))),  # Additions in R99, Rel-4
            ),
            one=(Bits("psi1_repeat_period", 4, offset=1), Stop(unbuildable=UNBUILDABLE_SI13)),  # PBCCH: not decoded
            flag="pbcch_present",
        ),
    ), flag="present"),)  # fmt: skip
    OCTETS = 20

    present: bool = False
    bcch_change_mark: int | None = None
    si_change_field: int | None = None
    si13_change_mark: int | None = None  # with a GPRS Mobile Allocation (not decoded)
    gprs_mobile_allocation_present: bool = False
    pbcch_present: bool = False
    psi1_repeat_period: int | None = None
    rac: int | None = None
    spgc_ccch_sup: bool | None = None
    priority_access_thr: int | None = None
    network_control_order: int | None = None
    gprs_cell_options: GprsCellOptions | None = None
    gprs_power_control: GprsPowerControlParameters | None = None
    sgsnr: bool | None = None  # R99: SGSN is Release '99 onwards
    si_status_ind: bool | None = None  # Rel-4
