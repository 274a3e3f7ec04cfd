"""SI2quater rest octets (TS 44.018 §10.5.2.33b), a minimal but valid subset, both directions.

Parsed: the header (BA_IND, 3G_BA_IND, MP_CHANGE_MARK, SI2quater_INDEX/COUNT), which optional
descriptions are present, the 3G neighbour cells (UTRAN FDD and TDD frequencies with their cell
lists) and the E-UTRAN neighbour frequencies of the Rel-8 "Priority and E-UTRAN Parameters
Description". Descriptions whose layout we do not decode stop the parse there; ``complete``
then says False and the remaining summary fields stay None (unknown), never empty.

Built: the header, optional UTRAN FDD neighbours (UARFCN + scrambling codes, §9.1.54 with the
range-1024 W encoding of the FDD_CELL_INFORMATION field) and optional E-UTRAN neighbours
(EARFCN list with priority and thresholds).

Example, the start of a real SI2quater's rest octets (vf_call6 ARFCN 725: 05 06 07 | 20 00 46 24 40 00 03)::

    0 BA_IND, 0 3G_BA_IND, 1 MP_CHANGE_MARK, 0000 SI2quater_INDEX, 0000 SI2quater_COUNT,
    0 0 0 0 0 0 no measurement/RTD/BSIC/report priority/GPRS measurement/NC descriptions,
    1 extension present: 8-bit length, then the extension bits (skipped) ...

Why this structure is not declared with :mod:`.csn1` like the other rest octets: its parse reads a
superset of what it builds (it walks past many descriptions and stops, with ``complete=False``, at
those it does not decode), and its 3G neighbour cells are range-W encoded lists whose widths depend
on a count read before them; both directions are written out here on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .bits import BitReader, BitWriter
from .errors import L3EncodeError
from .freqlist import range_tree_decode, range_tree_encode

REST_OCTETS_LENGTH = 20  # TS 44.018 §9.1.34a

# TS 44.018 §9.1.54 Table 9.1.54.1: p(NR_OF_FDD_CELLS), bits of the FDD_CELL_INFORMATION field
FDD_CELL_INFO_BITS: tuple[int, ...] = (0, 10, 19, 28, 36, 44, 52, 60, 67, 74, 81, 88, 95, 102, 109, 116, 122)
# TS 44.018 §9.1.54 Table 9.1.54.1a: q(NR_OF_TDD_CELLS), bits of the TDD_CELL_INFORMATION field
TDD_CELL_INFO_BITS: tuple[int, ...] = (
    0, 9, 17, 25, 32, 39, 46, 53, 59, 65, 71, 77, 83, 89, 95, 101, 106, 111, 116, 121, 126,
)  # fmt: skip


def _range_widths(range_: int, n: int) -> list[int]:
    return [range_.bit_length() - 1 - (k.bit_length() - 1) for k in range(1, n + 1)]


# The tables above are the sums of the range-1024 / range-512 W widths (checked at import).
for _n, _bits in enumerate(FDD_CELL_INFO_BITS):
    assert sum(_range_widths(1024, _n)) == _bits
for _n, _bits in enumerate(TDD_CELL_INFO_BITS):
    assert sum(_range_widths(512, _n)) == _bits


@dataclass(frozen=True, slots=True)
class UtranNeighbourFrequency:
    """One Repeated UTRAN FDD/TDD Neighbour Cells entry: a UARFCN and its cell parameters.

    ``cell_parameters`` are the decoded 10-bit FDD values (bits 1-9 scrambling code, bit 10
    diversity) or 7-bit TDD cell parameters; FDD_Indic0/TDD_Indic0 adds value 0.
    """

    mode: str  # "fdd" or "tdd"
    uarfcn: int
    cell_parameters: tuple[int, ...]

    @property
    def scrambling_codes(self) -> tuple[int, ...]:
        return tuple(v & 0x1FF for v in self.cell_parameters) if self.mode == "fdd" else ()


@dataclass(frozen=True, slots=True)
class EutranNeighbours:
    """One Repeated E-UTRAN Neighbour Cells entry (TS 44.018 §10.5.2.33b, TS 45.008)."""

    earfcns: tuple[int, ...]
    measurement_bandwidths: tuple[int | None, ...]
    priority: int | None  # E-UTRAN_PRIORITY 0..7
    thresh_high: int  # THRESH_E-UTRAN_high code 0..31 (× 2 dB)
    thresh_low: int | None = None
    qrxlevmin: int | None = None


@dataclass(frozen=True, slots=True)
class SI2quaterRestOctets:
    ba_ind: int
    three_g_ba_ind: int
    mp_change_mark: int
    index: int  # SI2quater_INDEX
    count: int  # SI2quater_COUNT
    measurement_parameters_present: bool = False
    gprs_rtd_present: bool = False
    gprs_bsic_present: bool = False
    gprs_report_priority_present: bool = False
    gprs_measurement_parameters_present: bool = False
    nc_measurement_parameters_present: bool = False
    extension_present: bool = False
    three_g_neighbour_cells_present: bool | None = None
    utran_neighbours: tuple[UtranNeighbourFrequency, ...] | None = None
    three_g_measurement_parameters_present: bool | None = None
    eutran_parameters_present: bool | None = None
    eutran_neighbours: tuple[EutranNeighbours, ...] | None = None
    complete: bool = True  # False: parsing stopped at a description we do not decode

    @property
    def uarfcns(self) -> tuple[int, ...] | None:
        if self.utran_neighbours is None:
            return None
        return tuple(sorted({u.uarfcn for u in self.utran_neighbours}))

    @property
    def earfcns(self) -> tuple[int, ...] | None:
        if self.eutran_neighbours is None:
            return None
        return tuple(sorted({e for group in self.eutran_neighbours for e in group.earfcns}))

    # ------------------------------------------------------------------ parse

    @classmethod
    def parse(cls, data: bytes) -> SI2quaterRestOctets:
        r = BitReader(data)
        kw: dict[str, object] = dict(
            ba_ind=r.read(1), three_g_ba_ind=r.read(1), mp_change_mark=r.read(1), index=r.read(4), count=r.read(4)
        )
        if r.read_bool():
            kw["measurement_parameters_present"] = True
            r.skip(3)  # REPORT_TYPE, SERVING_BAND_REPORTING
        if r.read_bool():
            kw["gprs_rtd_present"] = True
            _skip_rtd(r)
        if r.read_bool():
            kw["gprs_bsic_present"] = True
            if r.read_bool():
                r.skip(5)  # BA_Index_Start_BSIC
            r.skip(6)  # BSIC
            r.skip(7 * r.read(7))  # Frequency_Scrolling + BSIC per remaining cell
        if r.read_bool():
            kw["gprs_report_priority_present"] = True
            r.skip(r.read(7))
        if r.read_bool():
            kw["gprs_measurement_parameters_present"] = True
            return cls(**kw, complete=False)  # type: ignore[arg-type]
        if r.read_bool():
            kw["nc_measurement_parameters_present"] = True
            r.skip(2)  # NETWORK_CONTROL_ORDER
            if r.read_bool():
                r.skip(9)  # NC_NON_DRX_PERIOD, NC_REPORTING_PERIOD_I, NC_REPORTING_PERIOD_T
        if r.read_bool():
            kw["extension_present"] = True
            r.skip(r.read(8) + 1)
        utran: list[UtranNeighbourFrequency] = []
        kw["three_g_neighbour_cells_present"] = r.read_bool()
        if kw["three_g_neighbour_cells_present"]:
            try:
                _read_3g_neighbour_cells(r, utran)
            except _NotDecoded:
                return cls(**kw, complete=False)  # type: ignore[arg-type]
        kw["utran_neighbours"] = tuple(utran)
        kw["three_g_measurement_parameters_present"] = r.read_bool()
        if kw["three_g_measurement_parameters_present"]:
            r.skip(5)  # Qsearch_I, Qsearch_C_Initial
            if r.read_bool():
                r.skip(10)  # FDD_Qoffset, FDD_REP_QUANT, FDD_MULTIRAT_REPORTING, FDD_Qmin
            if r.read_bool():
                r.skip(6)  # TDD_Qoffset, TDD_MULTIRAT_REPORTING
        if r.read_bool():  # GPRS_3G_MEASUREMENT Parameters Description: not decoded
            return cls(**kw, complete=False)  # type: ignore[arg-type]
        kw["eutran_parameters_present"] = False
        kw["eutran_neighbours"] = ()
        if not r.read_lh():  # Additions in Rel-5
            return cls(**kw)  # type: ignore[arg-type]
        if r.read_bool():
            r.skip(7)  # 3G Additional Measurement Parameters Description: FDD_Qmin_Offset, FDD_RSCPmin
        if r.read_bool() and r.read_bool():  # 3G Additional Measurement Parameters Description 2, and its field
            r.skip(6)  # FDD_REPORTING_THRESHOLD_2
        if not r.read_lh():  # Additions in Rel-6
            return cls(**kw)  # type: ignore[arg-type]
        r.skip(1)  # 3G_CCN_ACTIVE
        if not r.read_lh():  # Additions in Rel-7
            return cls(**kw)  # type: ignore[arg-type]
        for _ in range(2):  # 700_ and 810_REPORTING_OFFSET/THRESHOLD
            if r.read_bool():
                r.skip(6)
        if not r.read_lh():  # Additions in Rel-8
            return cls(**kw)  # type: ignore[arg-type]
        if not r.read_bool():  # Priority and E-UTRAN Parameters Description
            return cls(**kw)  # type: ignore[arg-type]
        if r.read_bool():
            r.skip(15)  # Serving Cell Priority Parameters Description
        if r.read_bool():  # 3G Priority Parameters Description: not decoded
            kw["eutran_parameters_present"] = None
            kw["eutran_neighbours"] = None
            return cls(**kw, complete=False)  # type: ignore[arg-type]
        if not r.read_bool():
            return cls(**kw)  # type: ignore[arg-type]
        kw["eutran_parameters_present"] = True
        r.skip(3)  # E-UTRAN_CCN_ACTIVE, E-UTRAN_Start, E-UTRAN_Stop
        if r.read_bool() or r.read_bool():  # (GPRS) E-UTRAN Measurement Parameters: not decoded
            kw["eutran_neighbours"] = None
            return cls(**kw, complete=False)  # type: ignore[arg-type]
        groups = []
        while r.read_bool():
            groups.append(_read_eutran_group(r))
        kw["eutran_neighbours"] = tuple(groups)
        return cls(**kw)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ build

    def to_bytes(self, length: int = REST_OCTETS_LENGTH) -> bytes:
        w = BitWriter()
        w.write(self.ba_ind, 1)
        w.write(self.three_g_ba_ind, 1)
        w.write(self.mp_change_mark, 1)
        _check(
            0 <= self.index <= 15 and 0 <= self.count <= 15 and self.index <= self.count,
            "SI2quater INDEX/COUNT 0..15, INDEX <= COUNT",
        )
        w.write(self.index, 4)
        w.write(self.count, 4)
        for _ in range(7):  # measurement, RTD, BSIC, report priority, GPRS measurement, NC, extension
            w.write(0, 1)
        utran = self.utran_neighbours or ()
        w.write_bool(bool(utran))
        if utran:
            _write_3g_neighbour_cells(w, utran)
        w.write(0, 1)  # no 3G Measurement Parameters Description
        w.write(0, 1)  # no GPRS_3G_MEASUREMENT Parameters Description
        groups = self.eutran_neighbours or ()
        w.write_lh(bool(groups))  # Additions in Rel-5
        if groups:
            w.write(0, 1)  # no 3G Additional Measurement Parameters Description
            w.write(0, 1)  # no 3G ADDITIONAL MEASUREMENT Parameters Description 2
            w.write_lh(True)  # Additions in Rel-6
            w.write(0, 1)  # 3G_CCN_ACTIVE
            w.write_lh(True)  # Additions in Rel-7
            w.write(0, 1)  # no 700_REPORTING
            w.write(0, 1)  # no 810_REPORTING
            w.write_lh(True)  # Additions in Rel-8
            w.write(1, 1)  # Priority and E-UTRAN Parameters Description
            w.write(0, 1)  # no Serving Cell Priority Parameters Description
            w.write(0, 1)  # no 3G Priority Parameters Description
            w.write(1, 1)  # E-UTRAN Parameters Description
            w.write(0, 1)  # E-UTRAN_CCN_ACTIVE
            w.write(1, 1)  # E-UTRAN_Start
            w.write(1, 1)  # E-UTRAN_Stop
            w.write(0, 1)  # no E-UTRAN Measurement Parameters Description
            w.write(0, 1)  # no GPRS E-UTRAN Measurement Parameters Description
            for group in groups:
                w.write(1, 1)
                _write_eutran_group(w, group)
            w.write(0, 1)  # end of Repeated E-UTRAN Neighbour Cells
            w.write(0, 1)  # no Repeated E-UTRAN Not Allowed Cells
            w.write(0, 1)  # no Repeated E-UTRAN PCID to TA mapping
            w.write(0, 1)  # no 3G CSG Description
            w.write(0, 1)  # no E-UTRAN CSG Description
            w.write_lh(False)  # no Additions in Rel-9
        return w.to_bytes(length)


class _NotDecoded(Exception):
    """A layout we do not decode: the parse stops and reports ``complete=False``."""


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise L3EncodeError(message)


def _skip_rtd(r: BitReader) -> None:
    """GPRS_Real Time Difference Description: RTD6 then RTD12 struct lists, skipped."""
    for rtd_bits in (6, 12):
        if not r.read_bool():
            continue
        if r.read_bool():
            r.skip(5)  # BA_Index_Start_RTD
        while True:  # <RTD struct> { 0 <RTD struct> } ** 1
            while not r.read_bool():  # RTD struct: { 0 <RTD : bit (n)> } ** 1
                r.skip(rtd_bits)
            if r.read_bool():
                break


def _read_3g_neighbour_cells(r: BitReader, out: list[UtranNeighbourFrequency]) -> None:
    if r.read_bool():
        r.skip(7)  # Index_Start_3G
    if r.read_bool():
        r.skip(7)  # Absolute_Index_Start_EMR
    for mode, info_bits, range_, arfcn_bits in (
        ("fdd", FDD_CELL_INFO_BITS, 1024, 14),
        ("tdd", TDD_CELL_INFO_BITS, 512, 14),
    ):
        if not r.read_bool():
            continue
        if r.read_bool():
            r.skip(3)  # Bandwidth_FDD / Bandwidth_TDD
        while r.read_bool():
            if r.read_bool():  # bit reserved for an earlier version of the protocol: stop here
                raise _NotDecoded
            uarfcn = r.read(arfcn_bits)
            indic0 = r.read(1)
            nr = r.read(5)
            nbits = info_bits[nr] if nr < len(info_bits) else 0  # p(n)/q(n) = 0 for larger NR
            start = r.pos
            r.skip(nbits)
            sub = BitReader(_bits_of(r, start, nbits)) if nbits else None
            w = [0]
            if sub is not None:
                for width in _range_widths(range_, nr):
                    if sub.remaining < width:
                        break
                    w.append(sub.read(width))
            values = set(range_tree_decode(w, range_))
            if indic0:
                values.add(0)
            out.append(UtranNeighbourFrequency(mode, uarfcn, tuple(sorted(values))))


def _bits_of(r: BitReader, start: int, nbits: int) -> bytes:
    """``nbits`` bits of ``r`` from bit ``start``, left aligned in octets (for a sub-reader)."""
    saved = r.pos
    r.pos = start
    value = r.read(nbits)
    r.pos = saved
    pad = (-nbits) % 8
    return (value << pad).to_bytes((nbits + pad) // 8, "big")


def _write_3g_neighbour_cells(w: BitWriter, utran: Iterable[UtranNeighbourFrequency]) -> None:
    w.write(0, 1)  # no Index_Start_3G
    w.write(0, 1)  # no Absolute_Index_Start_EMR
    entries = list(utran)
    for mode, info_bits, range_ in (("fdd", FDD_CELL_INFO_BITS, 1024), ("tdd", TDD_CELL_INFO_BITS, 512)):
        mine = [u for u in entries if u.mode == mode]
        w.write_bool(bool(mine))
        if not mine:
            continue
        w.write(0, 1)  # no Bandwidth
        for u in mine:
            _check(0 <= u.uarfcn < 1 << 14, f"UARFCN must be 0..16383, got {u.uarfcn}")
            values = sorted(set(u.cell_parameters))
            indic0 = 1 if values and values[0] == 0 else 0
            rest = values[indic0:]
            _check(len(rest) < len(info_bits), f"at most {len(info_bits) - 1} {mode} cells per UARFCN besides value 0")
            _check(all(v < range_ for v in rest), f"{mode} cell parameters must be < {range_}")
            tree = range_tree_encode(rest, range_)
            w.write(1, 1)
            w.write(0, 1)
            w.write(u.uarfcn, 14)
            w.write(indic0, 1)
            w.write(len(rest), 5)
            for k, width in enumerate(_range_widths(range_, len(rest)), start=1):
                w.write(tree.get(k, 0), width)
        w.write(0, 1)  # end of Repeated UTRAN Neighbour Cells


def _read_eutran_group(r: BitReader) -> EutranNeighbours:
    earfcns: list[int] = []
    bws: list[int | None] = []
    while r.read_bool():
        earfcns.append(r.read(16))
        bws.append(r.read(3) if r.read_bool() else None)
    prio = r.read(3) if r.read_bool() else None
    high = r.read(5)
    low = r.read(5) if r.read_bool() else None
    qrx = r.read(5) if r.read_bool() else None
    return EutranNeighbours(tuple(earfcns), tuple(bws), prio, high, low, qrx)


def _write_eutran_group(w: BitWriter, g: EutranNeighbours) -> None:
    bws = g.measurement_bandwidths or tuple(None for _ in g.earfcns)
    _check(len(bws) == len(g.earfcns), "one measurement bandwidth (or None) per EARFCN")
    for earfcn, bw in zip(g.earfcns, bws):
        _check(0 <= earfcn <= 0xFFFF, f"EARFCN must be 0..65535, got {earfcn}")
        w.write(1, 1)
        w.write(earfcn, 16)
        w.write_bool(bw is not None)
        if bw is not None:
            w.write(bw, 3)
    w.write(0, 1)
    w.write_bool(g.priority is not None)
    if g.priority is not None:
        w.write(g.priority, 3)
    w.write(g.thresh_high, 5)
    for opt in (g.thresh_low, g.qrxlevmin):
        w.write_bool(opt is not None)
        if opt is not None:
            w.write(opt, 5)
