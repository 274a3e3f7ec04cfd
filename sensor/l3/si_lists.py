"""SI1, SI2, SI2bis, SI2ter, SI2quater (TS 44.018 §9.1.31-§9.1.34a): the messages that carry frequency
lists (cell allocation, BA lists, 3G/4G neighbours). Shared parts in ``si_common``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from . import keys
from .errors import L3EncodeError
from .freqlist import FrequencyList, ListIE, decode_frequency_list, encode_frequency_list
from .ie import RachControlParameters, ncc_permitted_from_byte, ncc_permitted_to_byte
from .rest_octets import SI1RestOctets, SI2terRestOctets
from .si2quater import SI2quaterRestOctets
from .ts44018 import L2_PSEUDO_LENGTH, SIType
from .si_common import _header, _finish, _rach_params, _Base, _parse_rest


# --------------------------------------------------------------------------- SI1 §9.1.31


@dataclass(frozen=True, slots=True)
class SystemInformation1(_Base):
    si_type: ClassVar[SIType] = SIType.SI1
    cell_channel_description: FrequencyList
    rach_control: RachControlParameters
    rest_octets: SI1RestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI1]
    rest_octets_error: str | None = None

    @property
    def cell_channels(self) -> tuple[int, ...]:
        return self.cell_channel_description.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        ro = self.rest_octets
        out[keys.BAND_INDICATOR] = None if ro is None else ("PCS1900" if ro.band_indicator_1900 else "DCS1800")
        out[keys.NCH_POSITION] = None if ro is None else ro.nch_position
        return out

    def to_l2(self) -> bytes:
        ccd = self.cell_channel_description
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(ccd.arfcns, ListIE.CELL_CHANNEL, ccd.format)
            + self.rach_control.to_bytes()
            + (self.rest_octets or SI1RestOctets()).to_bytes(1)
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation1:
        ro, err = _parse_rest(SI1RestOctets.parse, f[22:23], strict)
        return cls(
            decode_frequency_list(f[3:19], ListIE.CELL_CHANNEL), RachControlParameters.from_bytes(f[19:22]), ro, plen, err
        )


# --------------------------------------------------------------------------- SI2 §9.1.32, SI2bis §9.1.33, SI2ter §9.1.34


@dataclass(frozen=True, slots=True)
class SystemInformation2(_Base):
    si_type: ClassVar[SIType] = SIType.SI2
    bcch_frequency_list: FrequencyList  # Neighbour Cell Description (BA list)
    ncc_permitted: tuple[int, ...]
    rach_control: RachControlParameters
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2]

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        out[keys.NCC_PERMITTED] = list(self.ncc_permitted)
        out[keys.BA_IND] = self.bcch_frequency_list.ba_ind
        out[keys.EXT_IND] = self.bcch_frequency_list.ext_ind
        return out

    def to_l2(self) -> bytes:
        ncd = self.bcch_frequency_list
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(ncd.arfcns, ListIE.NEIGHBOUR, ncd.format, ba_ind=ncd.ba_ind or 0, ext_ind=bool(ncd.ext_ind))
            + bytes([ncc_permitted_to_byte(self.ncc_permitted)])
            + self.rach_control.to_bytes()
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2:
        return cls(
            decode_frequency_list(f[3:19], ListIE.NEIGHBOUR),
            ncc_permitted_from_byte(f[19]),
            RachControlParameters.from_bytes(f[20:23]),
            plen,
        )


@dataclass(frozen=True, slots=True)
class SystemInformation2bis(_Base):
    si_type: ClassVar[SIType] = SIType.SI2BIS
    extended_bcch_frequency_list: FrequencyList  # Neighbour Cell Description
    rach_control: RachControlParameters
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2BIS]

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.extended_bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        out[keys.BA_IND] = self.extended_bcch_frequency_list.ba_ind
        return out

    def to_l2(self) -> bytes:
        ncd = self.extended_bcch_frequency_list
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(ncd.arfcns, ListIE.NEIGHBOUR, ncd.format, ba_ind=ncd.ba_ind or 0, ext_ind=bool(ncd.ext_ind))
            + self.rach_control.to_bytes()
        )  # SI2bis Rest Octets (§10.5.2.33): spare padding only

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2bis:
        return cls(decode_frequency_list(f[3:19], ListIE.NEIGHBOUR), RachControlParameters.from_bytes(f[19:22]), plen)


@dataclass(frozen=True, slots=True)
class SystemInformation2ter(_Base):
    si_type: ClassVar[SIType] = SIType.SI2TER
    extended_bcch_frequency_list: FrequencyList  # Neighbour Cell Description 2
    rest_octets: SI2terRestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2TER]
    rest_octets_error: str | None = None

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.extended_bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        return {
            keys.BA_IND: self.extended_bcch_frequency_list.ba_ind,
            keys.MULTIBAND_REPORTING: self.extended_bcch_frequency_list.multiband_reporting,
        }

    def to_l2(self) -> bytes:
        ncd = self.extended_bcch_frequency_list
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(
                ncd.arfcns, ListIE.NEIGHBOUR_2, ncd.format, ba_ind=ncd.ba_ind or 0, multiband_reporting=ncd.multiband_reporting or 0
            )
            + (self.rest_octets or SI2terRestOctets()).to_bytes(4)
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2ter:
        ro, err = _parse_rest(SI2terRestOctets.parse, f[19:23], strict)
        return cls(decode_frequency_list(f[3:19], ListIE.NEIGHBOUR_2), ro, plen, err)


# --------------------------------------------------------------------------- SI2quater §9.1.34a


@dataclass(frozen=True, slots=True)
class SystemInformation2quater(_Base):
    si_type: ClassVar[SIType] = SIType.SI2QUATER
    rest_octets: SI2quaterRestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2QUATER]
    rest_octets_error: str | None = None

    def params(self) -> dict[str, Any]:
        ro = self.rest_octets
        if ro is None:
            return {}
        return {
            keys.SI2QUATER_INDEX: ro.index,
            keys.SI2QUATER_COUNT: ro.count,
            keys.UTRAN_UARFCNS: None if ro.uarfcns is None else list(ro.uarfcns),
            keys.EUTRAN_EARFCNS: None if ro.earfcns is None else list(ro.earfcns),
        }

    def to_l2(self) -> bytes:
        if self.rest_octets is None:
            raise L3EncodeError("SI2quater needs its rest octets")
        return _finish(_header(self.si_type, self.l2_pseudo_length) + self.rest_octets.to_bytes(20))

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2quater:
        ro, err = _parse_rest(SI2quaterRestOctets.parse, f[3:23], strict)
        return cls(ro, plen, err)
