"""u-blox UBX protocol: framing, checksum, and the configuration messages this sensor sends.

Frame (u-blox 8/M8 Receiver Description and Protocol Specification UBX-13003221, §32.2):
``0xB5 0x62 · class · id · length (u16 LE) · payload · CK_A CK_B``, where the checksum is the
8-bit Fletcher algorithm over class, id, length and payload (§32.4, RFC 1145).

Messages built here:

- UBX-CFG-RATE (0x06 0x08, §32.10.27): measurement period, navigation rate, time reference.
- UBX-CFG-MSG (0x06 0x01, §32.10.18): output rate of one message (NMEA standard messages are
  class 0xF0) on the port the command arrives on (3-byte form) or per port (8-byte form).
- UBX-CFG-GNSS (0x06 0x3E, §32.10.13): which constellations to track (M8 and older).
- UBX-CFG-VALSET (0x06 0x8A; u-blox F9/M9/M10 interface descriptions, e.g. UBX-18010854 §3.10.25
  and §6): configuration items as (32-bit key, value), the value's size coded in bits 28–30 of
  the key.
- UBX-ACK-ACK / ACK-NAK (0x05 0x01 / 0x05 0x00) are parsed from the receiver's replies.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SYNC = b"\xb5\x62"
CLS_ACK, ID_ACK_NAK, ID_ACK_ACK = 0x05, 0x00, 0x01
CLS_CFG = 0x06
ID_CFG_MSG, ID_CFG_RATE, ID_CFG_GNSS, ID_CFG_VALSET = 0x01, 0x08, 0x3E, 0x8A
CLS_NMEA = 0xF0
MAX_PAYLOAD = 4096

# UBX-CFG-MSG ids of the standard NMEA messages (class 0xF0), u-blox M8 spec §31.2.
NMEA_MSG_ID = {
    "GGA": 0x00, "GLL": 0x01, "GSA": 0x02, "GSV": 0x03, "RMC": 0x04, "VTG": 0x05, "GRS": 0x06,
    "GST": 0x07, "ZDA": 0x08, "GBS": 0x09, "DTM": 0x0A, "GNS": 0x0D, "THS": 0x0E, "VLW": 0x0F,
}  # fmt: skip

# UBX-CFG-GNSS gnssId and the M8 default channel plan (resTrkCh, maxTrkCh), spec §32.10.13 and
# the M8 default configuration; sigCfgMask 0x01 selects the L1 signal of each system.
GNSS_ID = {"GPS": 0, "SBAS": 1, "Galileo": 2, "BeiDou": 3, "IMES": 4, "QZSS": 5, "GLONASS": 6}
M8_CHANNELS = {"GPS": (8, 16), "SBAS": (1, 3), "Galileo": (4, 8), "BeiDou": (8, 16), "QZSS": (0, 3), "GLONASS": (8, 14)}

# CFG-VALSET keys (F9/M9/M10 interface descriptions, "Configuration items").
KEY_RATE_MEAS = 0x30210001  # U2, ms
KEY_RATE_NAV = 0x30210002  # U2, measurements per navigation solution
KEY_RATE_TIMEREF = 0x20210003  # E1, 0 UTC, 1 GPS
# CFG-MSGOUT-NMEA_ID_<MSG>_I2C; the same message's keys for UART1, UART2, USB, SPI follow at +1..+4.
NMEA_MSGOUT_I2C_KEY = {
    "GGA": 0x209100BA, "GLL": 0x209100C9, "GSA": 0x209100BF, "GSV": 0x209100C4, "RMC": 0x209100AB,
    "VTG": 0x209100B0, "GRS": 0x209100CE, "GST": 0x209100D3, "ZDA": 0x209100D8, "GBS": 0x209100DD,
    "DTM": 0x209100A6, "GNS": 0x209100B5, "VLW": 0x209100E7,
}  # fmt: skip
INTERFACE_OFFSET = {"I2C": 0, "UART1": 1, "UART2": 2, "USB": 3, "SPI": 4}
# CFG-SIGNAL-<SYS>_ENA (L, one bit).
SIGNAL_ENA_KEY = {
    "GPS": 0x1031001F, "SBAS": 0x10310020, "Galileo": 0x10310021, "BeiDou": 0x10310022,
    "QZSS": 0x10310024, "GLONASS": 0x10310025,
}  # fmt: skip
LAYERS = {"ram": 0x01, "bbr": 0x02, "flash": 0x04}
TIME_REF = {"utc": 0, "gps": 1, "glonass": 2, "beidou": 3, "galileo": 4}


class UbxError(ValueError):
    """A UBX message cannot be built from these values."""


def fletcher8(data: bytes) -> bytes:
    """The UBX checksum CK_A, CK_B over ``data`` (class, id, length, payload)."""
    a = b = 0
    for byte in data:
        a = (a + byte) & 0xFF
        b = (b + a) & 0xFF
    return bytes((a, b))


def frame(msg_class: int, msg_id: int, payload: bytes = b"") -> bytes:
    if not (0 <= msg_class <= 0xFF and 0 <= msg_id <= 0xFF) or len(payload) > 0xFFFF:
        raise UbxError("class and id are bytes, payload at most 65535 bytes")
    body = struct.pack("<BBH", msg_class, msg_id, len(payload)) + payload
    return SYNC + body + fletcher8(body)


def cfg_rate(rate_hz: float, *, nav_rate: int = 1, time_ref: str = "gps") -> bytes:
    """UBX-CFG-RATE: one measurement every ``1/rate_hz`` seconds (whole milliseconds)."""
    meas_ms = round(1000.0 / rate_hz) if rate_hz > 0 else 0
    if not 25 <= meas_ms <= 65535:
        raise UbxError(f"measurement rate {rate_hz} Hz is outside 0.016–40 Hz")
    if time_ref not in TIME_REF:
        raise UbxError(f"time reference {time_ref!r} is not one of {', '.join(TIME_REF)}")
    return frame(CLS_CFG, ID_CFG_RATE, struct.pack("<HHH", meas_ms, nav_rate, TIME_REF[time_ref]))


def cfg_msg(msg_class: int, msg_id: int, rate: int | Sequence[int]) -> bytes:
    """UBX-CFG-MSG: output ``msg`` every ``rate`` navigation solutions (0 = off).

    One rate sets the port the command arrives on; six rates set I2C, UART1, UART2, USB, SPI, reserved.
    """
    rates = [rate] if isinstance(rate, int) else list(rate)
    if len(rates) not in (1, 6) or not all(0 <= r <= 255 for r in rates):
        raise UbxError("give one rate or six (per port), each 0–255")
    return frame(CLS_CFG, ID_CFG_MSG, bytes([msg_class, msg_id, *rates]))


def cfg_msg_nmea(sentence: str, rate: int | Sequence[int]) -> bytes:
    if sentence not in NMEA_MSG_ID:
        raise UbxError(f"unknown NMEA sentence {sentence!r}; known: {', '.join(NMEA_MSG_ID)}")
    return cfg_msg(CLS_NMEA, NMEA_MSG_ID[sentence], rate)


def cfg_gnss(enabled: Iterable[str], *, tracking_channels: int = 32) -> bytes:
    """UBX-CFG-GNSS (msgVer 0) with one block per known system: enabled ones on, the rest off."""
    on = set(enabled)
    unknown = on - set(M8_CHANNELS)
    if unknown:
        raise UbxError(f"unknown constellation(s) {', '.join(sorted(unknown))}; known: {', '.join(M8_CHANNELS)}")
    blocks = b""
    for name, (res, max_ch) in M8_CHANNELS.items():
        flags = (0x01 << 16) | (1 if name in on else 0)  # sigCfgMask L1 | enable
        blocks += struct.pack("<BBBBI", GNSS_ID[name], res if name in on else 0, max_ch, 0, flags)
    header = struct.pack("<BBBB", 0, tracking_channels, tracking_channels, len(M8_CHANNELS))
    return frame(CLS_CFG, ID_CFG_GNSS, header + blocks)


def key_size(key: int) -> int:
    """Bytes of a configuration item's value, from the key's size field (bits 28–30)."""
    size = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8}.get((key >> 28) & 0x7)
    if size is None:
        raise UbxError(f"configuration key 0x{key:08x} has an invalid size field")
    return size


def cfg_valset(items: Sequence[tuple[int, int]], *, layers: Iterable[str] = ("ram",), version: int = 0) -> bytes:
    """UBX-CFG-VALSET: set ``(key, value)`` items in the given layers (ram, bbr, flash)."""
    if not 1 <= len(items) <= 64:
        raise UbxError("CFG-VALSET takes 1 to 64 items")
    mask = 0
    for layer in layers:
        if layer not in LAYERS:
            raise UbxError(f"layer {layer!r} is not one of {', '.join(LAYERS)}")
        mask |= LAYERS[layer]
    payload = struct.pack("<BBH", version, mask, 0)
    for key, value in items:
        n = key_size(key)
        if not 0 <= value < (1 << (8 * n)) or (n == 1 and (key >> 28) & 0x7 == 1 and value > 1):
            raise UbxError(f"value {value} does not fit configuration key 0x{key:08x}")
        payload += struct.pack("<I", key) + value.to_bytes(n, "little")
    return frame(CLS_CFG, ID_CFG_VALSET, payload)


def nmea_msgout_key(sentence: str, interface: str) -> int:
    if sentence not in NMEA_MSGOUT_I2C_KEY:
        raise UbxError(f"no CFG-MSGOUT key for NMEA {sentence!r}; known: {', '.join(NMEA_MSGOUT_I2C_KEY)}")
    if interface not in INTERFACE_OFFSET:
        raise UbxError(f"interface {interface!r} is not one of {', '.join(INTERFACE_OFFSET)}")
    return NMEA_MSGOUT_I2C_KEY[sentence] + INTERFACE_OFFSET[interface]


@dataclass(frozen=True, slots=True)
class UbxMessage:
    msg_class: int
    msg_id: int
    payload: bytes


class UbxParser:
    """Finds checksummed UBX frames in a byte stream that also carries NMEA; never raises."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.bad_checksums = 0

    def feed(self, data: bytes) -> list[UbxMessage]:
        self._buf += data
        out: list[UbxMessage] = []
        while True:
            start = self._buf.find(SYNC)
            if start < 0:
                del self._buf[: max(0, len(self._buf) - 1)]  # keep a trailing 0xB5
                return out
            del self._buf[:start]
            if len(self._buf) < 6:
                return out
            length = struct.unpack_from("<H", self._buf, 4)[0]
            if length > MAX_PAYLOAD:
                del self._buf[:2]
                continue
            if len(self._buf) < 8 + length:
                return out
            body = bytes(self._buf[2 : 6 + length])
            if fletcher8(body) != bytes(self._buf[6 + length : 8 + length]):
                self.bad_checksums += 1
                del self._buf[:2]
                continue
            out.append(UbxMessage(body[0], body[1], body[4:]))
            del self._buf[: 8 + length]


def ack_for(message: bytes, reply: UbxMessage) -> bool | None:
    """True for ACK-ACK of ``message``, False for ACK-NAK, None if ``reply`` is about something else."""
    if reply.msg_class != CLS_ACK or len(reply.payload) < 2 or reply.payload[:2] != message[2:4]:
        return None
    if reply.msg_id == ID_ACK_ACK:
        return True
    if reply.msg_id == ID_ACK_NAK:
        return False
    return None
