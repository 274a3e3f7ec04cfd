"""SMS transfer-layer PDUs (TS 23.040 §9.2.2): SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT, both ways.

The first octet's TP-MTI (bits 1-0) names the TPDU, and what it names depends on the direction
(§9.2.3.1): :func:`decode_tpdu` takes it. SMS-DELIVER (§9.2.2.1), what a (fake) station sends; a
published-format example built per spec, "hellohello" from +8613800138000::

    04 | 0d 91 68 31 08 10 83 00 f0 | 00 | 00 | 62 11 30 90 21 04 23 | 0a | e8 32 9b fd 46 97 d9 ec 37
    first octet 0x04: MTI 00 DELIVER, TP-MMS 1 (no more messages), no LP/SRI/UDHI/RP
    TP-OA 13 digits international E.164 | TP-PID 0 | TP-DCS 0 (GSM 7 bit)
    TP-SCTS 2026-11-03 09:12:40 +08:00 | TP-UDL 10 septets | TP-UD

SMS-SUBMIT (§9.2.2.2): first octet (MTI 01, RD, VPF, SRR, UDHI, RP), TP-MR, TP-DA, TP-PID, TP-DCS,
TP-VP (0, 1 or 7 octets by VPF), TP-UDL, TP-UD. SMS-STATUS-REPORT (§9.2.2.3): first octet (MTI 10,
MMS, LP, SRQ, UDHI), TP-MR, TP-RA, TP-SCTS, TP-DT, TP-ST, then optionally TP-PI saying which of
TP-PID, TP-DCS, TP-UDL/UD follow. Decoders are total: any octets give a TPDU or an
:class:`SmsDecodeError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .address import Address, decode_address, encode_address
from .dcs import DataCoding, decode_dcs
from .errors import SmsDecodeError, SmsEncodeError, UnsupportedTpdu
from .timestamp import decode_scts, encode_scts, relative_validity_s
from .ts23040 import (
    MTI,
    MTI_CODE,
    MTI_MASK,
    PI_DCS,
    PI_PID,
    PI_UDL,
    PID_TYPE_0,
    SCTS_OCTETS,
    ST_PARAMETER_INDICATOR_EXTENSION,
    TP_LP,
    TP_MMS,
    TP_RD,
    TP_RP,
    TP_SRI,
    TP_SRQ,
    TP_SRR,
    TP_UDHI,
    TP_VPF_SHIFT,
    VP_OCTETS,
    Direction,
    MessageType,
    ValidityPeriodFormat,
    replace_type,
)
from .udh import Concat, UdhElement, find
from .userdata import UserData, decode_user_data, encode_user_data


def _octet(name: str, value: int) -> int:
    if not 0 <= value <= 0xFF:
        raise SmsEncodeError(f"{name} must be 0..255, got {value}")
    return value


def _need(data: bytes, pos: int, n: int, what: str) -> bytes:
    if pos + n > len(data):
        raise SmsDecodeError(f"{what} at octet {pos} runs past the end of the {len(data)}-octet TPDU")
    return bytes(data[pos : pos + n])


def _scts_octets(when: datetime | None, name: str) -> bytes:
    if when is None:
        raise SmsEncodeError(f"{name} is needed to encode")
    return encode_scts(when)


class _UserDataView:
    """Properties shared by the TPDUs that carry user data."""

    __slots__ = ()
    user_data: UserData | None
    pid: int | None
    dcs: int | None

    @property
    def coding(self) -> DataCoding:
        return decode_dcs(self.dcs or 0)

    @property
    def text(self) -> str | None:
        return None if self.user_data is None else self.user_data.text

    @property
    def udh(self) -> tuple[UdhElement, ...] | None:
        return None if self.user_data is None else self.user_data.udh

    @property
    def concat(self) -> Concat | None:
        """The concatenation IE when valid (§9.2.3.24.1: an invalid one is ignored), else None."""
        element = find(self.udh, Concat)
        return element if isinstance(element, Concat) and element.valid else None

    @property
    def flash(self) -> bool:
        return self.coding.flash

    @property
    def silent(self) -> bool:
        """TP-PID 0x40, short message type 0 (§9.2.3.9): acknowledged and discarded, never shown."""
        return self.pid == PID_TYPE_0

    @property
    def replace_type(self) -> int | None:
        return None if self.pid is None else replace_type(self.pid)


@dataclass(frozen=True, slots=True)
class SmsDeliver(_UserDataView):
    """§9.2.2.1 SMS-DELIVER (SC → MS)."""

    originating_address: Address
    scts: datetime | None
    user_data: UserData = field(default_factory=lambda: UserData(text=""))
    pid: int = 0
    dcs: int = 0
    more_messages_waiting: bool = False  # TP-MMS = 0
    loop_prevention: bool = False  # TP-LP
    status_report_indication: bool = False  # TP-SRI
    reply_path: bool = False  # TP-RP

    message_type = MessageType.DELIVER

    def to_bytes(self) -> bytes:
        return encode_deliver(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> SmsDeliver:
        return decode_deliver(data)


@dataclass(frozen=True, slots=True)
class SmsSubmit(_UserDataView):
    """§9.2.2.2 SMS-SUBMIT (MS → SC). ``validity_period`` is TP-VP's octets as sent (0, 1 or 7)."""

    destination_address: Address
    message_reference: int = 0
    user_data: UserData = field(default_factory=lambda: UserData(text=""))
    pid: int = 0
    dcs: int = 0
    vp_format: ValidityPeriodFormat = ValidityPeriodFormat.NONE
    validity_period: bytes = b""
    reject_duplicates: bool = False  # TP-RD
    status_report_request: bool = False  # TP-SRR
    reply_path: bool = False  # TP-RP

    message_type = MessageType.SUBMIT

    @property
    def validity_s(self) -> int | None:
        """Seconds of a relative TP-VP (§9.2.3.12.1), else None."""
        if self.vp_format is ValidityPeriodFormat.RELATIVE and len(self.validity_period) == 1:
            return relative_validity_s(self.validity_period[0])
        return None

    @property
    def valid_until(self) -> datetime | None:
        """The end of an absolute TP-VP (§9.2.3.12.2), else None."""
        if self.vp_format is ValidityPeriodFormat.ABSOLUTE:
            return decode_scts(self.validity_period)
        return None

    def to_bytes(self) -> bytes:
        return encode_submit(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> SmsSubmit:
        return decode_submit(data)


@dataclass(frozen=True, slots=True)
class SmsStatusReport(_UserDataView):
    """§9.2.2.3 SMS-STATUS-REPORT (SC → MS). ``pid``, ``dcs``, ``user_data`` are None when TP-PI omits them."""

    recipient_address: Address
    scts: datetime | None
    discharge_time: datetime | None
    status: int = 0
    message_reference: int = 0
    pid: int | None = None
    dcs: int | None = None
    user_data: UserData | None = None
    more_messages_waiting: bool = False  # TP-MMS = 0
    loop_prevention: bool = False  # TP-LP
    status_report_qualifier: bool = False  # TP-SRQ: the report is the result of an SMS-COMMAND

    message_type = MessageType.STATUS_REPORT

    def to_bytes(self) -> bytes:
        return encode_status_report(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> SmsStatusReport:
        return decode_status_report(data)


Tpdu = SmsDeliver | SmsSubmit | SmsStatusReport


def _check_mti(data: bytes, direction: Direction, expected: MessageType) -> int:
    if not data:
        raise SmsDecodeError("empty TPDU")
    kind = MTI.get((direction, data[0] & MTI_MASK))
    if kind is not expected:
        raise SmsDecodeError(f"first octet {data[0]:#04x} is not an {expected.value} ({direction.value})")
    return data[0]


def _user_data(data: bytes, pos: int, dcs: int, udhi: bool) -> UserData:
    udl = _need(data, pos, 1, "TP-UDL")[0]
    return decode_user_data(udl, data[pos + 1 :], decode_dcs(dcs), udhi)


def _encoded_user_data(user_data: UserData, dcs: int) -> tuple[int, bytes]:
    udl, octets = encode_user_data(user_data, decode_dcs(_octet("TP-DCS", dcs)))
    return (TP_UDHI if user_data.udh is not None else 0), bytes([udl]) + octets


def decode_deliver(data: bytes) -> SmsDeliver:
    """§9.2.2.1: octets → :class:`SmsDeliver`."""
    first = _check_mti(data, Direction.MT, MessageType.DELIVER)
    oa, pos = decode_address(data, 1)
    pid, dcs = _need(data, pos, 2, "TP-PID, TP-DCS")
    scts = decode_scts(_need(data, pos + 2, SCTS_OCTETS, "TP-SCTS"))
    return SmsDeliver(
        originating_address=oa,
        scts=scts,
        user_data=_user_data(data, pos + 2 + SCTS_OCTETS, dcs, bool(first & TP_UDHI)),
        pid=pid,
        dcs=dcs,
        more_messages_waiting=not first & TP_MMS,
        loop_prevention=bool(first & TP_LP),
        status_report_indication=bool(first & TP_SRI),
        reply_path=bool(first & TP_RP),
    )


def encode_deliver(sms: SmsDeliver) -> bytes:
    """§9.2.2.1: :class:`SmsDeliver` → octets."""
    udhi, ud = _encoded_user_data(sms.user_data, sms.dcs)
    first = MTI_CODE[MessageType.DELIVER] | udhi
    first |= (0 if sms.more_messages_waiting else TP_MMS) | (TP_LP if sms.loop_prevention else 0)
    first |= (TP_SRI if sms.status_report_indication else 0) | (TP_RP if sms.reply_path else 0)
    return (
        bytes([first])
        + encode_address(sms.originating_address)
        + bytes([_octet("TP-PID", sms.pid), sms.dcs])
        + _scts_octets(sms.scts, "TP-SCTS")
        + ud
    )


def decode_submit(data: bytes) -> SmsSubmit:
    """§9.2.2.2: octets → :class:`SmsSubmit`."""
    first = _check_mti(data, Direction.MO, MessageType.SUBMIT)
    mr = _need(data, 1, 1, "TP-MR")[0]
    da, pos = decode_address(data, 2)
    pid, dcs = _need(data, pos, 2, "TP-PID, TP-DCS")
    vpf = ValidityPeriodFormat((first >> TP_VPF_SHIFT) & 0b11)
    vp = _need(data, pos + 2, VP_OCTETS[vpf], "TP-VP")
    return SmsSubmit(
        destination_address=da,
        message_reference=mr,
        user_data=_user_data(data, pos + 2 + len(vp), dcs, bool(first & TP_UDHI)),
        pid=pid,
        dcs=dcs,
        vp_format=vpf,
        validity_period=vp,
        reject_duplicates=bool(first & TP_RD),
        status_report_request=bool(first & TP_SRR),
        reply_path=bool(first & TP_RP),
    )


def encode_submit(sms: SmsSubmit) -> bytes:
    """§9.2.2.2: :class:`SmsSubmit` → octets."""
    vpf = ValidityPeriodFormat(sms.vp_format)
    if len(sms.validity_period) != VP_OCTETS[vpf]:
        raise SmsEncodeError(f"TP-VP of format {vpf.name} is {VP_OCTETS[vpf]} octets, got {len(sms.validity_period)}")
    udhi, ud = _encoded_user_data(sms.user_data, sms.dcs)
    first = MTI_CODE[MessageType.SUBMIT] | udhi | (vpf << TP_VPF_SHIFT) | (TP_RD if sms.reject_duplicates else 0)
    first |= (TP_SRR if sms.status_report_request else 0) | (TP_RP if sms.reply_path else 0)
    return (
        bytes([first, _octet("TP-MR", sms.message_reference)])
        + encode_address(sms.destination_address)
        + bytes([_octet("TP-PID", sms.pid), sms.dcs])
        + bytes(sms.validity_period)
        + ud
    )


def decode_status_report(data: bytes) -> SmsStatusReport:
    """§9.2.2.3: octets → :class:`SmsStatusReport` (TP-PI extension octets are skipped)."""
    first = _check_mti(data, Direction.MT, MessageType.STATUS_REPORT)
    mr = _need(data, 1, 1, "TP-MR")[0]
    ra, pos = decode_address(data, 2)
    scts = decode_scts(_need(data, pos, SCTS_OCTETS, "TP-SCTS"))
    dt = decode_scts(_need(data, pos + SCTS_OCTETS, SCTS_OCTETS, "TP-DT"))
    pos += 2 * SCTS_OCTETS
    status = _need(data, pos, 1, "TP-ST")[0]
    pos += 1
    pi = data[pos] if pos < len(data) else 0
    pos += 1
    while pi and data[pos - 1] & ST_PARAMETER_INDICATOR_EXTENSION and pos < len(data):
        pos += 1  # §9.2.3.27: further TP-PI octets (none defined yet)
    pid = dcs = None
    if pi & PI_PID:
        pid = _need(data, pos, 1, "TP-PID")[0]
        pos += 1
    if pi & PI_DCS:
        dcs = _need(data, pos, 1, "TP-DCS")[0]
        pos += 1
    ud = _user_data(data, pos, dcs or 0, bool(first & TP_UDHI)) if pi & PI_UDL else None
    return SmsStatusReport(
        recipient_address=ra,
        scts=scts,
        discharge_time=dt,
        status=status,
        message_reference=mr,
        pid=pid,
        dcs=dcs,
        user_data=ud,
        more_messages_waiting=not first & TP_MMS,
        loop_prevention=bool(first & TP_LP),
        status_report_qualifier=bool(first & TP_SRQ),
    )


def encode_status_report(sms: SmsStatusReport) -> bytes:
    """§9.2.2.3: :class:`SmsStatusReport` → octets (TP-PI present when any optional field is)."""
    udhi, ud = (0, b"") if sms.user_data is None else _encoded_user_data(sms.user_data, sms.dcs or 0)
    first = MTI_CODE[MessageType.STATUS_REPORT] | udhi | (0 if sms.more_messages_waiting else TP_MMS)
    first |= (TP_LP if sms.loop_prevention else 0) | (TP_SRQ if sms.status_report_qualifier else 0)
    pi = (PI_PID if sms.pid is not None else 0) | (PI_DCS if sms.dcs is not None else 0)
    pi |= PI_UDL if sms.user_data is not None else 0
    optional = b""
    if pi:
        optional = bytes([pi])
        optional += b"" if sms.pid is None else bytes([_octet("TP-PID", sms.pid)])
        optional += b"" if sms.dcs is None else bytes([_octet("TP-DCS", sms.dcs)])
        optional += ud
    return (
        bytes([first, _octet("TP-MR", sms.message_reference)])
        + encode_address(sms.recipient_address)
        + _scts_octets(sms.scts, "TP-SCTS")
        + _scts_octets(sms.discharge_time, "TP-DT")
        + bytes([_octet("TP-ST", sms.status)])
        + optional
    )


_DECODERS = {
    MessageType.DELIVER: decode_deliver,
    MessageType.SUBMIT: decode_submit,
    MessageType.STATUS_REPORT: decode_status_report,
}


def decode_tpdu(data: bytes, direction: Direction | str = Direction.MT) -> Tpdu:
    """Any TPDU we decode, chosen by TP-MTI for the direction (§9.2.3.1); others raise UnsupportedTpdu."""
    if not data:
        raise SmsDecodeError("empty TPDU")
    direction = Direction(direction)
    kind = MTI.get((direction, data[0] & MTI_MASK))
    decoder = _DECODERS.get(kind) if kind is not None else None
    if decoder is None:
        name = kind.value if kind is not None else "reserved TP-MTI 11"
        raise UnsupportedTpdu(f"{name} ({direction.value}, first octet {data[0]:#04x}) is not decoded")
    return decoder(data)


def encode_tpdu(tpdu: Tpdu) -> bytes:
    return tpdu.to_bytes()
