"""UBX framing and configuration messages against known byte strings, profiles, and sending."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from sensor.errors import ConfigError
from sensor.gps import ubx
from sensor.gps.ubx_profile import (
    UbxProfile,
    gps_profile_dir,
    load_ubx_profile,
    profile_messages,
    send_messages,
)
from tests.gps.drive import drive, nmea_log

# Byte strings as published for u-blox receivers (u-center's message view, vendor app notes).
KNOWN = [
    (ubx.cfg_rate(1.0), "b5 62 06 08 06 00 e8 03 01 00 01 00 01 39"),  # 1 Hz, GPS time
    (ubx.cfg_rate(10.0), "b5 62 06 08 06 00 64 00 01 00 01 00 7a 12"),  # 10 Hz
    (ubx.cfg_msg_nmea("GLL", 0), "b5 62 06 01 03 00 f0 01 00 fb 11"),  # GLL off on this port
    (ubx.cfg_valset([(0x20910007, 1)]), "b5 62 06 8a 09 00 00 01 00 00 07 00 91 20 01 53 48"),  # NAV-PVT on UART1
    (ubx.cfg_valset([(0x20110021, 8)]), "b5 62 06 8a 09 00 00 01 00 00 21 00 11 20 08 f4 51"),  # dynmodel airborne4g
    (ubx.cfg_valset([(0x10310025, 1)], version=1), "b5 62 06 8a 09 00 01 01 00 00 25 00 31 10 01 02 a7"),  # GLONASS on
]


@pytest.mark.parametrize(("built", "known"), KNOWN)
def test_known_byte_strings(built: bytes, known: str) -> None:
    assert built.hex(" ") == known


def test_fletcher8_and_frame() -> None:
    assert ubx.fletcher8(b"") == b"\x00\x00"
    assert ubx.fletcher8(bytes([0x06, 0x08, 0x06, 0x00, 0xE8, 0x03, 0x01, 0x00, 0x01, 0x00])) == b"\x01\x39"
    f = ubx.frame(0x0A, 0x04)  # MON-VER poll
    assert f == bytes.fromhex("b562 0a04 0000 0e34")


def test_cfg_msg_per_port_form() -> None:
    m = ubx.cfg_msg_nmea("GSV", [0, 1, 0, 1, 0, 0])
    assert m[2:4] == b"\x06\x01" and m[4:6] == b"\x08\x00" and m[6:14] == bytes([0xF0, 0x03, 0, 1, 0, 1, 0, 0])
    with pytest.raises(ubx.UbxError):
        ubx.cfg_msg_nmea("XYZ", 1)
    with pytest.raises(ubx.UbxError):
        ubx.cfg_msg(0xF0, 0, [1, 2])


def test_cfg_gnss_layout() -> None:
    m = ubx.cfg_gnss(["GPS", "Galileo", "GLONASS"])
    payload = m[6:-2]
    assert m[2:4] == b"\x06\x3e" and len(payload) == 4 + 8 * 6
    assert payload[:4] == bytes([0, 32, 32, 6])
    blocks = {payload[4 + 8 * i]: struct.unpack_from("<BBBBI", payload, 4 + 8 * i) for i in range(6)}
    assert blocks[0] == (0, 8, 16, 0, 0x00010001)  # GPS on: 8–16 channels, L1C/A
    assert blocks[6] == (6, 8, 14, 0, 0x00010001)  # GLONASS on
    assert blocks[3] == (3, 0, 16, 0, 0x00010000)  # BeiDou off
    assert ubx.fletcher8(m[2:-2]) == m[-2:]


def test_valset_key_sizes_and_range_checks() -> None:
    assert ubx.key_size(ubx.KEY_RATE_MEAS) == 2 and ubx.key_size(0x10310025) == 1
    m = ubx.cfg_valset([(ubx.KEY_RATE_MEAS, 200), (ubx.SIGNAL_ENA_KEY["GPS"], 1)], layers=("ram", "bbr"))
    assert m[7] == 0x03 and m[10:16] == bytes.fromhex("01002130c800")
    with pytest.raises(ubx.UbxError):
        ubx.cfg_valset([(0x10310025, 2)])  # a one-bit item
    with pytest.raises(ubx.UbxError):
        ubx.cfg_valset([(ubx.KEY_RATE_MEAS, 70000)])
    with pytest.raises(ubx.UbxError):
        ubx.cfg_valset([(0x70000001, 0)])
    with pytest.raises(ubx.UbxError):
        ubx.cfg_valset([(ubx.KEY_RATE_MEAS, 100)], layers=("rom",))
    assert ubx.nmea_msgout_key("GGA", "UART1") == 0x209100BB
    assert ubx.nmea_msgout_key("RMC", "USB") == 0x209100AE
    assert ubx.nmea_msgout_key("GSV", "UART1") == 0x209100C5


def test_parser_finds_frames_between_nmea_and_checks_them() -> None:
    ack = ubx.frame(ubx.CLS_ACK, ubx.ID_ACK_ACK, b"\x06\x08")
    bad = bytearray(ubx.frame(ubx.CLS_ACK, ubx.ID_ACK_NAK, b"\x06\x01"))
    bad[-1] ^= 0xFF
    stream = nmea_log(drive(2)).encode() + ack + bytes(bad) + b"\xb5" + nmea_log(drive(1)).encode() + ack
    parser = ubx.UbxParser()
    found = []
    for i in range(0, len(stream), 7):
        found += parser.feed(stream[i : i + 7])
    assert [(m.msg_class, m.msg_id, m.payload) for m in found] == [(5, 1, b"\x06\x08")] * 2
    assert parser.bad_checksums == 1
    assert ubx.ack_for(ubx.cfg_rate(1), found[0]) is True
    assert ubx.ack_for(ubx.cfg_msg_nmea("GGA", 1), found[0]) is None


@pytest.mark.parametrize("name", ["ublox-m8", "ublox-m10"])
def test_shipped_profiles_load_and_build(name: str) -> None:
    p = load_ubx_profile(name)
    msgs = profile_messages(p)
    assert msgs and all(m[:2] == ubx.SYNC and ubx.fletcher8(m[2:-2]) == m[-2:] for _, m in msgs)
    assert "RMC" in p.sentences


def test_m8_profile_messages() -> None:
    msgs = dict(profile_messages(load_ubx_profile("ublox-m8")))
    assert msgs["CFG-RATE 1 Hz"] == ubx.cfg_rate(1.0)
    assert msgs["CFG-MSG NMEA GSV off"] == ubx.cfg_msg_nmea("GSV", 0)
    assert msgs["CFG-MSG NMEA RMC on"] == ubx.cfg_msg_nmea("RMC", 1)


def test_profile_errors(tmp_path: Path) -> None:
    base = 'name = "x"\ndescription = "x"\nprotocol = "ubx-cfg"\n'
    cases = {
        'sentences = ["GGA", "GSA"]': "RMC",
        'constellations = ["GPS", "GLONASS", "BeiDou"]': "GLONASS and BeiDou",
        'constellations = ["GPS", "Compass"]': "unknown constellation",
        "rate_hz = 50.0": "above the maximum",
        'rate_hz = "fast"': "expected a number",
        "baud = 9600": "unknown key 'baud'",
    }
    for line, msg in cases.items():
        path = tmp_path / "p.toml"
        path.write_text(base + line + "\n")
        with pytest.raises(ConfigError, match=msg):
            load_ubx_profile(path)
    with pytest.raises(ConfigError, match="no GPS profile 'nope'"):
        load_ubx_profile("nope")
    assert gps_profile_dir().name == "gps"
    UbxProfile(name="v", description="v", protocol="ubx-valset", constellations=["GPS", "GLONASS", "BeiDou"])


class AckingReceiver:
    """A fake u-blox port: NMEA keeps flowing; CFG messages are ACKed, except CFG-GNSS (NAKed)."""

    def __init__(self) -> None:
        self.out = bytearray(nmea_log(drive(3)).encode())
        self.parser = ubx.UbxParser()
        self.written: list[bytes] = []

    @property
    def in_waiting(self) -> int:
        return len(self.out)

    def read(self, size: int = 1) -> bytes:
        data, self.out = bytes(self.out[:size]), self.out[size:]
        return data

    def write(self, data: bytes) -> int:
        self.written.append(data)
        for m in self.parser.feed(data):
            reply = ubx.ID_ACK_NAK if m.msg_id == ubx.ID_CFG_GNSS else ubx.ID_ACK_ACK
            self.out += nmea_log(drive(1)).encode() + ubx.frame(ubx.CLS_ACK, reply, bytes([m.msg_class, m.msg_id]))
        return len(data)


def test_send_profile_collects_acks() -> None:
    port = AckingReceiver()
    msgs = profile_messages(load_ubx_profile("ublox-m8"))
    results = send_messages(port, msgs, timeout_s=1.0)
    assert [r.acked for r in results] == [False] + [True] * (len(msgs) - 1)
    assert port.written == [m for _, m in msgs]


def test_send_without_answer_times_out_quickly() -> None:
    class Silent(AckingReceiver):
        def write(self, data: bytes) -> int:
            self.written.append(data)
            return len(data)

    results = send_messages(Silent(), [("rate", ubx.cfg_rate(1.0))], timeout_s=0.2)
    assert results[0].acked is None
