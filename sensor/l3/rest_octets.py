"""Rest octets of SI1, SI2bis, SI2ter, SI3, SI4 and SI13 (CSN.1), both directions.

TS 44.018 §10.5.2.32 (SI1), §10.5.2.33 (SI2bis), §10.5.2.33a (SI2ter), §10.5.2.34 (SI3),
§10.5.2.35 (SI4), §10.5.2.37b (SI13) with the GPRS Cell Options of TS 44.060 §12.24 and the
GPRS Power Control Parameters of §10.5.2.37b. ``L``/``H`` bits are relative to the 0x2B spare
padding (see :mod:`sensor.l3.bits`); ``0``/``1`` bits are literal.

Each ``parse`` takes the rest octets (octet aligned in the message) and raises
:class:`L3ParseError` when a field announced as present runs past the end; each ``to_bytes``
writes them padded with spare padding to the length the message gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .bits import BitReader, BitWriter
from .errors import L3EncodeError, TruncatedMessage

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


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise L3EncodeError(message)


# --------------------------------------------------------------------------- SI1 §10.5.2.32


@dataclass(frozen=True, slots=True)
class SI1RestOctets:
    """{ L | H <NCH Position : bit (5)> } <Band Indicator : L 1800 | H 1900> <spare padding>."""

    nch_position: int | None = None  # code, see NCH_POSITION
    band_indicator_1900: bool = False  # True: ARFCNs 512..810 are PCS 1900, False: DCS 1800

    @classmethod
    def parse(cls, data: bytes) -> SI1RestOctets:
        r = BitReader(data)
        nch = r.read(5) if r.read_lh() else None
        return cls(nch_position=nch, band_indicator_1900=r.read_lh())

    def to_bytes(self, length: int = 1) -> bytes:
        w = BitWriter()
        w.write_lh(self.nch_position is not None)
        if self.nch_position is not None:
            _check(0 <= self.nch_position <= 31, f"NCH position must be 0..31, got {self.nch_position}")
            w.write(self.nch_position, 5)
        w.write_lh(self.band_indicator_1900)
        return w.to_bytes(length)


# --------------------------------------------------------------------------- SI2ter §10.5.2.33a


@dataclass(frozen=True, slots=True)
class SI2terRestOctets:
    """{ L | H <SI2ter_MP_CHANGE_MARK : bit> <SI2ter_3G_CHANGE_MARK : bit> <SI2ter_INDEX : bit (3)>
    <SI2ter_COUNT : bit (3)> { 0 | 1 <UTRAN FDD Description> } ... }. Only the header is parsed;
    ``utran_fdd_description_present`` says whether 3G neighbours follow."""

    present: bool = False
    mp_change_mark: int | None = None
    three_g_change_mark: int | None = None
    index: int | None = None
    count: int | None = None
    utran_fdd_description_present: bool | None = None

    @classmethod
    def parse(cls, data: bytes) -> SI2terRestOctets:
        r = BitReader(data)
        if not r.read_lh():
            return cls()
        mp, g3, index, count = r.read(1), r.read(1), r.read(3), r.read(3)
        fdd = r.read_bool() if r.remaining else None
        return cls(True, mp, g3, index, count, fdd)

    def to_bytes(self, length: int = 4) -> bytes:
        w = BitWriter()
        w.write_lh(self.present)
        if self.present:
            w.write(self.mp_change_mark or 0, 1)
            w.write(self.three_g_change_mark or 0, 1)
            w.write(self.index or 0, 3)
            w.write(self.count or 0, 3)
            w.write(0, 1)  # no UTRAN FDD Description
            w.write(0, 1)  # no UTRAN TDD Description
            w.write(0, 1)  # no 3G MEASUREMENT Parameters Description
            w.write_lh(False)  # no additions in Rel-5
        return w.to_bytes(length)


# --------------------------------------------------------------------------- SI3/SI4 shared parts §10.5.2.34/35


@dataclass(frozen=True, slots=True)
class SelectionParameters:
    """Optional Selection Parameters (TS 44.018 §10.5.2.34, TS 45.008 §9 Table 1).

    ``temporary_offset_db`` is None when TEMPORARY_OFFSET = 7 (infinity);
    ``penalty_time_s`` is None when PENALTY_TIME = 31, the code that means "CELL_RESELECT_OFFSET
    is subtracted from C2 and TEMPORARY_OFFSET is ignored".
    """

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

    @classmethod
    def read(cls, r: BitReader) -> SelectionParameters:
        cbq, cro, to, pt = r.read(1), r.read(6), r.read(3), r.read(5)
        return cls(
            cbq=bool(cbq),
            cell_reselect_offset_db=2 * cro,
            temporary_offset_db=None if to == 7 else 10 * to,
            penalty_time_s=None if pt == 31 else 20 * (pt + 1),
        )

    def write(self, w: BitWriter) -> None:
        cro = self.cell_reselect_offset_db
        _check(0 <= cro <= 126 and cro % 2 == 0, f"CELL_RESELECT_OFFSET must be 0..126 dB step 2, got {cro}")
        to = self.temporary_offset_db
        _check(to is None or (0 <= to <= 60 and to % 10 == 0), f"TEMPORARY_OFFSET must be 0..60 dB step 10 or None, got {to}")
        pt = self.penalty_time_s
        _check(pt is None or (20 <= pt <= 620 and pt % 20 == 0), f"PENALTY_TIME must be 20..620 s step 20 or None, got {pt}")
        w.write(int(self.cbq), 1)
        w.write(cro // 2, 6)
        w.write(7 if to is None else to // 10, 3)
        w.write(31 if pt is None else pt // 20 - 1, 5)


@dataclass(frozen=True, slots=True)
class GprsIndicator:
    """GPRS Indicator (TS 44.018 §10.5.2.34): GPRS is supported in the cell."""

    ra_colour: int  # 0..7
    si13_position: int  # 0: SI13 on BCCH Norm, 1: on BCCH Ext

    @classmethod
    def read(cls, r: BitReader) -> GprsIndicator:
        return cls(ra_colour=r.read(3), si13_position=r.read(1))

    def write(self, w: BitWriter) -> None:
        _check(0 <= self.ra_colour <= 7 and self.si13_position in (0, 1), "RA COLOUR 0..7, SI13 POSITION 0/1")
        w.write(self.ra_colour, 3)
        w.write(self.si13_position, 1)


def _read_power_offset(r: BitReader) -> int | None:
    return POWER_OFFSET_DB[r.read(2)] if r.read_lh() else None


def _write_power_offset(w: BitWriter, power_offset_db: int | None) -> None:
    w.write_lh(power_offset_db is not None)
    if power_offset_db is not None:
        _check(power_offset_db in POWER_OFFSET_DB, f"POWER OFFSET must be one of {POWER_OFFSET_DB} dB")
        w.write(POWER_OFFSET_DB.index(power_offset_db), 2)


# --------------------------------------------------------------------------- SI3 §10.5.2.34


@dataclass(frozen=True, slots=True)
class SI3RestOctets:
    """TS 44.018 §10.5.2.34 SI 3 Rest Octets (4 octets).

    After the SI2quater Indicator comes the System Information 21 Indicator, as Wireshark 4.0
    dissects it; later additions are not parsed (they read as spare padding)."""

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

    @classmethod
    def parse(cls, data: bytes) -> SI3RestOctets:
        r = BitReader(data)
        sel = SelectionParameters.read(r) if r.read_lh() else None
        po = _read_power_offset(r)
        si2ter = r.read_lh()
        ecsc = r.read_lh()
        where = r.read(3) if r.read_lh() else None
        gprs = GprsIndicator.read(r) if r.read_lh() else None
        g3 = r.read_lh()
        si2q = r.read(1) if r.read_lh() else None
        si21 = r.read(1) if r.read_lh() else None
        return cls(sel, po, si2ter, ecsc, where, gprs, g3, si2q, si21)

    def to_bytes(self, length: int = 4) -> bytes:
        w = BitWriter()
        w.write_lh(self.selection_parameters is not None)
        if self.selection_parameters is not None:
            self.selection_parameters.write(w)
        _write_power_offset(w, self.power_offset_db)
        w.write_lh(self.si2ter_indicator)
        w.write_lh(self.early_classmark_sending)
        w.write_lh(self.scheduling_where is not None)
        if self.scheduling_where is not None:
            _check(0 <= self.scheduling_where <= 7, f"WHERE must be 0..7, got {self.scheduling_where}")
            w.write(self.scheduling_where, 3)
        w.write_lh(self.gprs_indicator is not None)
        if self.gprs_indicator is not None:
            self.gprs_indicator.write(w)
        w.write_lh(self.three_g_early_classmark_sending_follows_ecsc)
        for position in (self.si2quater_position, self.si21_position):
            w.write_lh(position is not None)
            if position is not None:
                _check(position in (0, 1), f"position must be 0 or 1, got {position}")
                w.write(position, 1)
        return w.to_bytes(length)


# --------------------------------------------------------------------------- SI4 §10.5.2.35


@dataclass(frozen=True, slots=True)
class SI4RestOctets:
    """TS 44.018 §10.5.2.35 SI 4 Rest Octets: the "O" part, then { L <Break Indicator> | H <SI4 Rest Octets_S> }.

    The S part (LSA parameters, cell identity, LSA ID) is only flagged, not parsed.
    """

    selection_parameters: SelectionParameters | None = None
    power_offset_db: int | None = None
    gprs_indicator: GprsIndicator | None = None
    rest_octets_s_present: bool = False
    break_indicator: bool | None = None  # H: additional parameters in SI7/SI8 (only when S is absent)

    @classmethod
    def parse(cls, data: bytes) -> SI4RestOctets:
        r = BitReader(data)
        sel = SelectionParameters.read(r) if r.read_lh() else None
        po = _read_power_offset(r)
        gprs = GprsIndicator.read(r) if r.read_lh() else None
        s_present = r.read_lh()
        brk = None if s_present else r.read_lh()
        return cls(sel, po, gprs, s_present, brk)

    def to_bytes(self, length: int) -> bytes:
        w = BitWriter()
        w.write_lh(self.selection_parameters is not None)
        if self.selection_parameters is not None:
            self.selection_parameters.write(w)
        _write_power_offset(w, self.power_offset_db)
        w.write_lh(self.gprs_indicator is not None)
        if self.gprs_indicator is not None:
            self.gprs_indicator.write(w)
        _check(not self.rest_octets_s_present, "building SI4 Rest Octets_S is not supported")
        w.write_lh(False)
        w.write_lh(bool(self.break_indicator))
        return w.to_bytes(length)


# --------------------------------------------------------------------------- SI13 §10.5.2.37b


@dataclass(frozen=True, slots=True)
class GprsCellOptions:
    """TS 44.060 §12.24 GPRS Cell Options (the part of the extension up to Rel-4 is parsed)."""

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

    @classmethod
    def read(cls, r: BitReader) -> GprsCellOptions:
        nmo, t3168, t3192, drx = r.read(2), r.read(3), r.read(3), r.read(3)
        abt, cat, cv = r.read(1), r.read(1), r.read(4)
        pan = (r.read(3), r.read(3), r.read(3)) if r.read_bool() else (None, None, None)
        ext: dict[str, object] = {}
        if r.read_bool():
            length = r.read(6) + 1
            end = r.pos + length
            ext = _read_gprs_extension(r, end)
            r.pos = end
            if r.remaining < 0:
                raise TruncatedMessage(f"GPRS Cell Options extension of {length} bits runs past the end")
        return cls(nmo, (t3168 + 1) * 500, T3192_MS[t3192], DRX_TIMER_MAX_S[drx], abt, cat, cv, *pan, **ext)  # type: ignore[arg-type]

    def write(self, w: BitWriter) -> None:
        _check(0 <= self.nmo <= 3 and self.t3168_ms % 500 == 0 and 500 <= self.t3168_ms <= 4000, "bad NMO or T3168")
        _check(self.t3192_ms in T3192_MS and self.drx_timer_max_s in DRX_TIMER_MAX_S, "bad T3192 or DRX_TIMER_MAX")
        w.write(self.nmo, 2)
        w.write(self.t3168_ms // 500 - 1, 3)
        w.write(T3192_MS.index(self.t3192_ms), 3)
        w.write(DRX_TIMER_MAX_S.index(self.drx_timer_max_s), 3)
        w.write(self.access_burst_type, 1)
        w.write(self.control_ack_type, 1)
        w.write(self.bs_cv_max, 4)
        w.write_bool(self.pan_dec is not None)
        if self.pan_dec is not None:
            w.write(self.pan_dec, 3)
            w.write(self.pan_inc or 0, 3)
            w.write(self.pan_max or 0, 3)
        w.write_bool(self.egprs_supported is not None)
        if self.egprs_supported is not None:
            ext = BitWriter()
            ext.write_bool(self.egprs_supported)
            if self.egprs_supported:
                ext.write(self.egprs_packet_channel_request or 0, 1)
                ext.write(self.bep_period or 0, 4)
            for flag in (self.pfc_feature_mode, self.dtm_support, self.bss_paging_coordination, self.ccn_active, self.nw_ext_utbf):
                ext.write_bool(bool(flag))
            w.write(ext.nbits - 1, 6)
            w.extend(ext)


def _read_gprs_extension(r: BitReader, end: int) -> dict[str, object]:
    out: dict[str, object] = {}

    def more(n: int) -> bool:
        return r.pos + n <= end

    if not more(1):
        return out
    egprs = r.read_bool()
    out["egprs_supported"] = egprs
    if egprs:
        if not more(5):
            return out
        out["egprs_packet_channel_request"] = r.read(1)
        out["bep_period"] = r.read(4)
    for name in ("pfc_feature_mode", "dtm_support", "bss_paging_coordination", "ccn_active", "nw_ext_utbf"):
        if not more(1):
            break
        out[name] = r.read_bool()
    return out


@dataclass(frozen=True, slots=True)
class GprsPowerControlParameters:
    """TS 44.018 §10.5.2.37b GPRS Power Control Parameters struct (TS 45.008 §10.2)."""

    alpha: int  # ALPHA code 0..10 (× 0.1)
    t_avg_w: int
    t_avg_t: int
    pc_meas_chan: int  # 0: BCCH, 1: PDCH
    n_avg_i: int

    @classmethod
    def read(cls, r: BitReader) -> GprsPowerControlParameters:
        return cls(r.read(4), r.read(5), r.read(5), r.read(1), r.read(4))

    def write(self, w: BitWriter) -> None:
        w.write(self.alpha, 4)
        w.write(self.t_avg_w, 5)
        w.write(self.t_avg_t, 5)
        w.write(self.pc_meas_chan, 1)
        w.write(self.n_avg_i, 4)


@dataclass(frozen=True, slots=True)
class SI13RestOctets:
    """TS 44.018 §10.5.2.37b SI 13 Rest Octets (PBCCH-less cells parsed in full up to Rel-4)."""

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

    @classmethod
    def parse(cls, data: bytes) -> SI13RestOctets:
        r = BitReader(data)
        if not r.read_lh():
            return cls()
        kw: dict[str, object] = {"present": True, "bcch_change_mark": r.read(3), "si_change_field": r.read(4)}
        if r.read_bool():
            kw["si13_change_mark"] = r.read(2)
            kw["gprs_mobile_allocation_present"] = True
            _skip_gprs_mobile_allocation(r)
        if r.read_bool():
            kw["pbcch_present"] = True
            kw["psi1_repeat_period"] = r.read(4) + 1
            return cls(**kw)  # type: ignore[arg-type]  # PBCCH description not decoded (PBCCH is obsolete)
        kw["rac"] = r.read(8)
        kw["spgc_ccch_sup"] = r.read_bool()
        kw["priority_access_thr"] = r.read(3)
        kw["network_control_order"] = r.read(2)
        kw["gprs_cell_options"] = GprsCellOptions.read(r)
        kw["gprs_power_control"] = GprsPowerControlParameters.read(r)
        if r.read_lh():
            kw["sgsnr"] = r.read_bool()
            if r.read_lh():
                kw["si_status_ind"] = r.read_bool()
        return cls(**kw)  # type: ignore[arg-type]

    def to_bytes(self, length: int = 20) -> bytes:
        w = BitWriter()
        w.write_lh(self.present)
        if self.present:
            _check(self.gprs_cell_options is not None and self.gprs_power_control is not None, "SI13 needs GPRS cell options and power control")
            _check(not self.pbcch_present and not self.gprs_mobile_allocation_present, "building PBCCH or a GPRS MA is not supported")
            w.write(self.bcch_change_mark or 0, 3)
            w.write(self.si_change_field or 0, 4)
            w.write(0, 1)  # no SI13_CHANGE_MARK / GPRS Mobile Allocation
            w.write(0, 1)  # PBCCH not present
            w.write(self.rac or 0, 8)
            w.write_bool(bool(self.spgc_ccch_sup))
            w.write(self.priority_access_thr or 0, 3)
            w.write(self.network_control_order or 0, 2)
            assert self.gprs_cell_options is not None and self.gprs_power_control is not None
            self.gprs_cell_options.write(w)
            self.gprs_power_control.write(w)
            w.write_lh(self.sgsnr is not None)
            if self.sgsnr is not None:
                w.write_bool(self.sgsnr)
                w.write_lh(self.si_status_ind is not None)
                if self.si_status_ind is not None:
                    w.write_bool(self.si_status_ind)
        return w.to_bytes(length)


def _skip_gprs_mobile_allocation(r: BitReader) -> None:
    """TS 44.060 §12.10a GPRS Mobile Allocation IE, skipped."""
    r.skip(6)  # HSN
    while r.read_bool():  # RFL number list
        r.skip(4)
    if r.read_bool() == 0:
        r.skip(r.read(6) + 1)  # MA_LENGTH, MA_BITMAP
    else:
        while r.read_bool():  # ARFCN index list
            r.skip(6)
