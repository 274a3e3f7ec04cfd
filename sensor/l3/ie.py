"""Fixed-length information elements of the BCCH System Information messages, both directions.

Each IE is a frozen dataclass with its fields named after TS 44.018 / TS 24.008 in units,
``from_bytes`` (raises :class:`L3ParseError`) and ``to_bytes`` (raises :class:`L3EncodeError`).
Code tables are data, each with its clause. The ``IEType`` constants at the end tell the message
codec (:mod:`.codec`) how long each value part is and which functions read and write it.

Examples from a real SI3 (vf_call6 ARFCN 725, see :mod:`.messages`)::

    62 f2 20 01 3e   LAI: MCC digits 2 6 | 2, MNC digit 3 F (two-digit MNC) | 0 2, LAC 0x013e = 318
    c8 07 0a         Control Channel Description: 1 MSCR, 1 ATT, 001 BS_AG_BLKS_RES, 000 CCCH_CONF |
                     0 spare, 00 CBQ3, 00 spare, 111 BS_PA_MFRMS - 2 | T3212 0x0a = 10 decihours
    60 09            Cell Selection Parameters: 011 hysteresis (6 dB), 00000 MS_TXPWR_MAX_CCH |
                     0 ACS, 0 NECI, 001001 RXLEV_ACCESS_MIN 9 (-101 dBm)
    b9 00 00         RACH Control Parameters: 10 MAX RETRANS (4), 1110 TX-INTEGER (32), 0 CELL_BAR_ACCESS,
                     1 RE | access classes 15..8 | 7..0 (EC bit 10): none barred
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .elements import IEType
from .errors import L3EncodeError, L3ParseError, TruncatedMessage
from .freqlist import IE_LENGTH, FrequencyList, ListIE, decode_frequency_list, encode_frequency_list
from .ts44018 import CHANNEL_TYPES

# --------------------------------------------------------------------------- tables

# TS 44.018 §10.5.2.11 Table 10.5.2.11.1: CCCH-CONF → (basic physical channels for CCCH, combined with SDCCHs)
CCCH_CONF: dict[int, tuple[int, bool]] = {
    0b000: (1, False),
    0b001: (1, True),
    0b010: (2, False),
    0b100: (3, False),
    0b110: (4, False),
}

# TS 44.018 §10.5.2.3 Table 10.5.2.3.1: DTX field of the Cell Options (BCCH) IE
DTX_BCCH: dict[int, str] = {
    0b00: "ms_may_use_uplink_dtx",
    0b01: "ms_shall_use_uplink_dtx",
    0b10: "ms_shall_not_use_uplink_dtx",
}

# TS 44.018 §10.5.2.29 Table 10.5.2.29.1: MAX RETRANS code → maximum number of retransmissions
MAX_RETRANS: tuple[int, ...] = (1, 2, 4, 7)

# TS 44.018 §10.5.2.29 Table 10.5.2.29.1: TX-INTEGER code → slots used to spread the transmission
TX_INTEGER_SLOTS: tuple[int, ...] = (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50)

# TS 45.008 §8.1.4 (RXLEV mapping): RXLEV n ↔ -110 + n dBm (0: below -110 dBm, 63: above -48 dBm)
RXLEV_ZERO_DBM = -110

# TS 45.005 §4.1.1 (nominal maximum output power per power control level), MS_TXPWR_MAX_CCH → dBm
MS_TXPWR_DBM: dict[str, tuple[int | None, ...]] = {
    # GSM 400/700/850/900, Tables 4.1.1-1: levels 0-2 → 39 dBm, 3..19 → 37..5 dBm, 20-31 → 5 dBm
    "GSM900": tuple([39, 39, 39] + [37 - 2 * i for i in range(17)] + [5] * 12),
    # DCS 1800: 0..15 → 30..0 dBm, 16-28 → 0 dBm, 29 → 36, 30 → 34, 31 → 32
    "DCS1800": tuple([30 - 2 * i for i in range(16)] + [0] * 13 + [36, 34, 32]),
    # PCS 1900: 0..15 → 30..0 dBm, 16-29 reserved, 30 → 33, 31 → 32
    "PCS1900": tuple([30 - 2 * i for i in range(16)] + [None] * 14 + [33, 32]),
}


def ms_txpwr_max_cch_dbm(level: int, band: str) -> int | None:
    """Nominal power in dBm of power control level ``level`` in ``band`` (GSM900, DCS1800, PCS1900,
    GSM850 like GSM900), or None for a reserved level or an unknown band."""
    table = MS_TXPWR_DBM.get(
        "GSM900" if band in ("GSM850", "GSM450", "GSM480", "GSM750", "EGSM900", "RGSM900") else band
    )
    if table is None or not 0 <= level <= 31:
        return None
    return table[level]


def rxlev_to_dbm(rxlev: int) -> int:
    return RXLEV_ZERO_DBM + rxlev


def dbm_to_rxlev(dbm: int) -> int:
    rxlev = dbm - RXLEV_ZERO_DBM
    if not 0 <= rxlev <= 63:
        raise L3EncodeError(f"RXLEV_ACCESS_MIN must be {RXLEV_ZERO_DBM}..{RXLEV_ZERO_DBM + 63} dBm, got {dbm}")
    return rxlev


def _need(data: bytes, n: int, what: str) -> None:
    if len(data) < n:
        raise TruncatedMessage(f"{what} needs {n} octets, got {len(data)}")


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise L3EncodeError(message)


# --------------------------------------------------------------------------- §10.5.1.1 Cell Identity


def cell_identity_from_bytes(data: bytes) -> int:
    """TS 24.008 §10.5.1.1 Cell Identity: 16-bit CI, big endian."""
    _need(data, 2, "Cell Identity")
    return (data[0] << 8) | data[1]


def cell_identity_to_bytes(cell_id: int) -> bytes:
    _check(0 <= cell_id <= 0xFFFF, f"Cell Identity must be 0..65535, got {cell_id}")
    return cell_id.to_bytes(2, "big")


# --------------------------------------------------------------------------- §10.5.1.3 LAI


@dataclass(frozen=True, slots=True)
class LocationAreaIdentification:
    """TS 24.008 §10.5.1.3: MCC and MNC as BCD digit strings (MNC of 2 or 3 digits), LAC."""

    mcc: str
    mnc: str
    lac: int

    @classmethod
    def from_bytes(cls, data: bytes) -> LocationAreaIdentification:
        _need(data, 5, "Location Area Identification")
        mcc1, mcc2 = data[0] & 0x0F, data[0] >> 4
        mcc3, mnc3 = data[1] & 0x0F, data[1] >> 4
        mnc1, mnc2 = data[2] & 0x0F, data[2] >> 4
        digits = (mcc1, mcc2, mcc3, mnc1, mnc2)
        if any(d > 9 for d in digits) or (mnc3 > 9 and mnc3 != 0xF):
            raise L3ParseError(f"LAI {data[:3].hex()} holds a non-decimal BCD digit")
        mcc = f"{mcc1}{mcc2}{mcc3}"
        mnc = f"{mnc1}{mnc2}" if mnc3 == 0xF else f"{mnc1}{mnc2}{mnc3}"
        return cls(mcc=mcc, mnc=mnc, lac=(data[3] << 8) | data[4])

    def to_bytes(self) -> bytes:
        _check(
            len(self.mcc) == 3 and self.mcc.isdigit() and self.mcc.isascii(), f"MCC must be 3 digits, got {self.mcc!r}"
        )
        _check(
            len(self.mnc) in (2, 3) and self.mnc.isdigit() and self.mnc.isascii(),
            f"MNC must be 2 or 3 digits, got {self.mnc!r}",
        )
        _check(0 <= self.lac <= 0xFFFF, f"LAC must be 0..65535, got {self.lac}")
        m = [int(c) for c in self.mcc]
        n = [int(c) for c in self.mnc]
        mnc3 = n[2] if len(n) == 3 else 0xF
        return bytes([(m[1] << 4) | m[0], (mnc3 << 4) | m[2], (n[1] << 4) | n[0], self.lac >> 8, self.lac & 0xFF])


# --------------------------------------------------------------------------- §10.5.2.11 Control Channel Description


@dataclass(frozen=True, slots=True)
class ControlChannelDescription:
    """TS 44.018 §10.5.2.11 (3 octets)."""

    mscr: bool  # MSC release: True = MSC is Release '99 onwards
    att: bool  # attach/detach (IMSI attach) allowed
    bs_ag_blks_res: int  # CCCH blocks reserved for access grant, 0..7
    ccch_conf: int  # CCCH-CONF code (see CCCH_CONF)
    cbq3: int  # Cell Bar Qualify 3 (Iu mode), 0..3
    bs_pa_mfrms: int  # 51-multiframes between transmissions of paging to the same paging group, 2..9
    t3212_min: int  # periodic location updating timer in minutes (multiple of 6); 0 = no periodic updating

    @property
    def t3212_decihours(self) -> int:
        return self.t3212_min // 6

    @property
    def ccch_basic_channels(self) -> int | None:
        entry = CCCH_CONF.get(self.ccch_conf)
        return entry[0] if entry else None

    @property
    def ccch_combined_with_sdcch(self) -> bool | None:
        entry = CCCH_CONF.get(self.ccch_conf)
        return entry[1] if entry else None

    @classmethod
    def from_bytes(cls, data: bytes) -> ControlChannelDescription:
        _need(data, 3, "Control Channel Description")
        o1, o2, o3 = data[0], data[1], data[2]
        return cls(
            mscr=bool(o1 & 0x80),
            att=bool(o1 & 0x40),
            bs_ag_blks_res=(o1 >> 3) & 0x7,
            ccch_conf=o1 & 0x7,
            cbq3=(o2 >> 5) & 0x3,
            bs_pa_mfrms=(o2 & 0x7) + 2,
            t3212_min=o3 * 6,
        )

    def to_bytes(self) -> bytes:
        _check(0 <= self.bs_ag_blks_res <= 7, f"BS_AG_BLKS_RES must be 0..7, got {self.bs_ag_blks_res}")
        _check(0 <= self.ccch_conf <= 7, f"CCCH_CONF code must be 0..7, got {self.ccch_conf}")
        _check(0 <= self.cbq3 <= 3, f"CBQ3 must be 0..3, got {self.cbq3}")
        _check(2 <= self.bs_pa_mfrms <= 9, f"BS_PA_MFRMS must be 2..9 multiframes, got {self.bs_pa_mfrms}")
        _check(
            0 <= self.t3212_min <= 255 * 6 and self.t3212_min % 6 == 0,
            f"T3212 must be a multiple of 6 min in 0..1530, got {self.t3212_min}",
        )
        o1 = (self.mscr << 7) | (self.att << 6) | (self.bs_ag_blks_res << 3) | self.ccch_conf
        return bytes([o1, (self.cbq3 << 5) | (self.bs_pa_mfrms - 2), self.t3212_min // 6])


# --------------------------------------------------------------------------- §10.5.2.3 Cell Options (BCCH)


@dataclass(frozen=True, slots=True)
class CellOptionsBcch:
    """TS 44.018 §10.5.2.3 Cell Options (BCCH), 1 octet."""

    dn_ind: bool  # dynamic ARFCN mapping indicator
    pwrc: bool  # power control indicator
    dtx: int  # DTX code (see DTX_BCCH)
    radio_link_timeout_blocks: int  # RADIO-LINK-TIMEOUT in SACCH blocks, 4..64 step 4

    @classmethod
    def from_bytes(cls, data: bytes) -> CellOptionsBcch:
        _need(data, 1, "Cell Options (BCCH)")
        o = data[0]
        return cls(
            dn_ind=bool(o & 0x80),
            pwrc=bool(o & 0x40),
            dtx=(o >> 4) & 0x3,
            radio_link_timeout_blocks=4 * ((o & 0xF) + 1),
        )

    def to_bytes(self) -> bytes:
        _check(0 <= self.dtx <= 3, f"DTX code must be 0..3, got {self.dtx}")
        rlt = self.radio_link_timeout_blocks
        _check(4 <= rlt <= 64 and rlt % 4 == 0, f"RADIO-LINK-TIMEOUT must be 4..64 blocks step 4, got {rlt}")
        return bytes([(self.dn_ind << 7) | (self.pwrc << 6) | (self.dtx << 4) | (rlt // 4 - 1)])


# --------------------------------------------------------------------------- §10.5.2.4 Cell Selection Parameters


@dataclass(frozen=True, slots=True)
class CellSelectionParameters:
    """TS 44.018 §10.5.2.4, 2 octets."""

    cell_reselect_hysteresis_db: int  # CELL-RESELECT-HYSTERESIS, 0..14 dB step 2
    ms_txpwr_max_cch: int  # power control level 0..31 (TS 45.005); see ms_txpwr_max_cch_dbm()
    acs: bool  # additional reselect param indication
    neci: bool  # new establishment causes supported
    rxlev_access_min_dbm: int  # RXLEV-ACCESS-MIN as dBm, -110..-47

    @classmethod
    def from_bytes(cls, data: bytes) -> CellSelectionParameters:
        _need(data, 2, "Cell Selection Parameters")
        o1, o2 = data[0], data[1]
        return cls(
            cell_reselect_hysteresis_db=2 * (o1 >> 5),
            ms_txpwr_max_cch=o1 & 0x1F,
            acs=bool(o2 & 0x80),
            neci=bool(o2 & 0x40),
            rxlev_access_min_dbm=rxlev_to_dbm(o2 & 0x3F),
        )

    def to_bytes(self) -> bytes:
        h = self.cell_reselect_hysteresis_db
        _check(0 <= h <= 14 and h % 2 == 0, f"CELL-RESELECT-HYSTERESIS must be 0..14 dB step 2, got {h}")
        _check(0 <= self.ms_txpwr_max_cch <= 31, f"MS-TXPWR-MAX-CCH must be 0..31, got {self.ms_txpwr_max_cch}")
        return bytes(
            [
                ((h // 2) << 5) | self.ms_txpwr_max_cch,
                (self.acs << 7) | (self.neci << 6) | dbm_to_rxlev(self.rxlev_access_min_dbm),
            ]
        )


# --------------------------------------------------------------------------- §10.5.2.29 RACH Control Parameters


@dataclass(frozen=True, slots=True)
class RachControlParameters:
    """TS 44.018 §10.5.2.29, 3 octets."""

    max_retrans: int  # 1, 2, 4 or 7
    tx_integer_slots: int  # see TX_INTEGER_SLOTS
    cell_bar_access: bool  # CELL_BAR_ACCESS (with CBQ of SI3/SI4 rest octets, TS 45.008 Table 1a)
    re: bool  # RE: True = call re-establishment NOT allowed in the cell
    emergency_calls_barred: bool  # EC bit (access class 10)
    access_classes_barred: tuple[int, ...]  # access classes 0..9 and 11..15 whose AC bit is set

    @property
    def tx_integer(self) -> int:
        return TX_INTEGER_SLOTS.index(self.tx_integer_slots)

    @classmethod
    def from_bytes(cls, data: bytes) -> RachControlParameters:
        _need(data, 3, "RACH Control Parameters")
        o1 = data[0]
        ac = (data[1] << 8) | data[2]
        return cls(
            max_retrans=MAX_RETRANS[o1 >> 6],
            tx_integer_slots=TX_INTEGER_SLOTS[(o1 >> 2) & 0xF],
            cell_bar_access=bool(o1 & 0x02),
            re=bool(o1 & 0x01),
            emergency_calls_barred=bool(ac & (1 << 10)),
            access_classes_barred=tuple(c for c in range(16) if c != 10 and ac & (1 << c)),
        )

    def to_bytes(self) -> bytes:
        _check(self.max_retrans in MAX_RETRANS, f"MAX RETRANS must be one of {MAX_RETRANS}, got {self.max_retrans}")
        _check(
            self.tx_integer_slots in TX_INTEGER_SLOTS,
            f"Tx-integer must be one of {TX_INTEGER_SLOTS}, got {self.tx_integer_slots}",
        )
        ac = 1 << 10 if self.emergency_calls_barred else 0
        for c in self.access_classes_barred:
            _check(0 <= c <= 15 and c != 10, f"access class must be 0..9 or 11..15, got {c}")
            ac |= 1 << c
        o1 = (MAX_RETRANS.index(self.max_retrans) << 6) | (self.tx_integer << 2) | (self.cell_bar_access << 1) | self.re
        return bytes([o1, ac >> 8, ac & 0xFF])


# --------------------------------------------------------------------------- §10.5.2.27 NCC Permitted


def ncc_permitted_from_byte(octet: int) -> tuple[int, ...]:
    """TS 44.018 §10.5.2.27: bit n+1 set ↔ NCC n permitted."""
    return tuple(n for n in range(8) if octet & (1 << n))


def ncc_permitted_to_byte(nccs: tuple[int, ...]) -> int:
    value = 0
    for n in nccs:
        _check(0 <= n <= 7, f"NCC must be 0..7, got {n}")
        value |= 1 << n
    return value


# --------------------------------------------------------------------------- §10.5.2.5 Channel Description


@dataclass(frozen=True, slots=True)
class ChannelDescription:
    """TS 44.018 §10.5.2.5 Channel Description (3 octets), as used for the CBCH in SI4.

    ``channel_type_tdma_offset`` is the 5-bit code (e.g. 0b001TT SDCCH/4 sub-channel TT,
    0b01TTT SDCCH/8 sub-channel TTT). ``arfcn`` is set for a single RF channel, ``maio``/``hsn``
    for hopping.
    """

    channel_type_tdma_offset: int
    tn: int
    tsc: int
    arfcn: int | None = None
    maio: int | None = None
    hsn: int | None = None

    # §10.5.2.5 Table 10.5.2.5.1 (Channel Description 2, §10.5.2.5a, has its own table)
    CHANNEL_TYPES: ClassVar[dict[int, tuple[str, int | None]]] = CHANNEL_TYPES

    @property
    def hopping(self) -> bool:
        return self.arfcn is None

    @property
    def channel(self) -> str | None:
        """The channel kind ("SDCCH/4", "SDCCH/8", "TCH/F", "TCH/H"), None for a reserved code."""
        entry = self.CHANNEL_TYPES.get(self.channel_type_tdma_offset)
        return None if entry is None else entry[0]

    @property
    def sub_channel(self) -> int | None:
        """SDCCH/4 sub-channel 0-3, SDCCH/8 0-7, TCH/H 0-1; None for TCH/F or a reserved code."""
        entry = self.CHANNEL_TYPES.get(self.channel_type_tdma_offset)
        return None if entry is None else entry[1]

    @classmethod
    def from_bytes(cls, data: bytes) -> ChannelDescription:
        _need(data, 3, "Channel Description")
        o1, o2, o3 = data[0], data[1], data[2]
        ctype, tn, tsc = o1 >> 3, o1 & 0x7, o2 >> 5
        if o2 & 0x10:
            return cls(ctype, tn, tsc, maio=((o2 & 0x0F) << 2) | (o3 >> 6), hsn=o3 & 0x3F)
        return cls(ctype, tn, tsc, arfcn=((o2 & 0x03) << 8) | o3)

    def to_bytes(self) -> bytes:
        _check(
            0 <= self.channel_type_tdma_offset <= 31 and 0 <= self.tn <= 7 and 0 <= self.tsc <= 7,
            "bad channel description",
        )
        o1 = (self.channel_type_tdma_offset << 3) | self.tn
        if self.arfcn is not None:
            _check(0 <= self.arfcn <= 1023, f"ARFCN must be 0..1023, got {self.arfcn}")
            return bytes([o1, (self.tsc << 5) | (self.arfcn >> 8), self.arfcn & 0xFF])
        _check(
            self.maio is not None and self.hsn is not None and 0 <= self.maio <= 63 and 0 <= self.hsn <= 63,
            "hopping needs MAIO, HSN 0..63",
        )
        assert self.maio is not None and self.hsn is not None
        return bytes([o1, (self.tsc << 5) | 0x10 | (self.maio >> 2), ((self.maio & 0x3) << 6) | self.hsn])


# --------------------------------------------------------------------------- the IEs as the message codec reads them

CELL_IDENTITY = IEType(
    "Cell Identity", cell_identity_from_bytes, cell_identity_to_bytes, octets=2
)  # TS 24.008 §10.5.1.1
LAI = IEType(
    "Location Area Identification", LocationAreaIdentification.from_bytes, LocationAreaIdentification.to_bytes, octets=5
)  # TS 24.008 §10.5.1.3
CONTROL_CHANNEL_DESCRIPTION = IEType(
    "Control Channel Description", ControlChannelDescription.from_bytes, ControlChannelDescription.to_bytes, octets=3
)  # §10.5.2.11
CELL_OPTIONS_BCCH = IEType(
    "Cell Options (BCCH)", CellOptionsBcch.from_bytes, CellOptionsBcch.to_bytes, octets=1
)  # §10.5.2.3
CELL_SELECTION_PARAMETERS = IEType(
    "Cell Selection Parameters", CellSelectionParameters.from_bytes, CellSelectionParameters.to_bytes, octets=2
)  # §10.5.2.4
RACH_CONTROL_PARAMETERS = IEType(
    "RACH Control Parameters", RachControlParameters.from_bytes, RachControlParameters.to_bytes, octets=3
)  # §10.5.2.29
NCC_PERMITTED = IEType(
    "NCC Permitted", lambda b: ncc_permitted_from_byte(b[0]), lambda v: bytes([ncc_permitted_to_byte(v)]), octets=1
)  # §10.5.2.27
CBCH_CHANNEL_DESCRIPTION = IEType(
    "CBCH Channel Description", ChannelDescription.from_bytes, ChannelDescription.to_bytes, octets=3
)  # §10.5.2.5 (SI4 §9.1.36.1)
# §10.5.2.21 Mobile Allocation as SI4 carries it (§9.1.36.2): octets kept, not decoded
CBCH_MOBILE_ALLOCATION = IEType("CBCH Mobile Allocation", bytes, bytes, max_octets=5)


def _frequency_list(title: str, kind: ListIE) -> IEType:
    def write(v: FrequencyList) -> bytes:
        return encode_frequency_list(
            v.arfcns,
            kind,
            v.format,
            ba_ind=v.ba_ind or 0,
            ext_ind=bool(v.ext_ind),
            multiband_reporting=v.multiband_reporting or 0,
        )

    return IEType(title, lambda b: decode_frequency_list(b, kind), write, octets=IE_LENGTH)


CELL_CHANNEL_DESCRIPTION = _frequency_list("Cell Channel Description", ListIE.CELL_CHANNEL)  # §10.5.2.1b
NEIGHBOUR_CELL_DESCRIPTION = _frequency_list("Neighbour Cell Description", ListIE.NEIGHBOUR)  # §10.5.2.22
NEIGHBOUR_CELL_DESCRIPTION_2 = _frequency_list("Neighbour Cell Description 2", ListIE.NEIGHBOUR_2)  # §10.5.2.22a
