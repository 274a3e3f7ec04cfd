"""GPS receiver profiles (``firmware-config/gps/*.toml``) and sending them once to a u-blox receiver.

A profile names the solution rate, the NMEA sentences to output (every other standard sentence is
switched off, which keeps a 9600-baud link from overflowing at higher rates) and the
constellations to track. ``protocol = "ubx-cfg"`` builds the legacy UBX-CFG-GNSS/RATE/MSG messages
(u-blox 8/M8 and older); ``protocol = "ubx-valset"`` builds UBX-CFG-VALSET items (M9, M10, F9).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sensor.errors import ConfigError, SourceError
from sensor.gps import ubx
from sensor.gps.serial_nmea import SerialPort
from sensor.resources import project_dir
from sensor.schema import bounded, load_dataclass, read_toml

log = logging.getLogger(__name__)

# Standard NMEA sentences u-blox receivers output by default: the ones to switch off unless wanted.
# Only these and the wanted ones are touched, so no key a receiver lacks is ever sent (a VALSET
# with one unknown key is rejected whole).
DEFAULT_ON = ("GGA", "GLL", "GSA", "GSV", "RMC", "VTG")


@dataclass(frozen=True, slots=True)
class UbxProfile:
    name: str
    description: str
    protocol: Literal["ubx-cfg", "ubx-valset"]
    rate_hz: float = bounded(1.0, min=0.1, max=25.0, doc="navigation solutions per second")
    time_ref: Literal["gps", "utc"] = "gps"
    sentences: list[str] = field(default_factory=lambda: ["RMC", "GGA", "GSA"])
    constellations: list[str] = field(default_factory=lambda: ["GPS", "GLONASS", "Galileo", "SBAS", "QZSS"])
    interfaces: list[str] = field(default_factory=lambda: ["UART1"])  # ubx-valset only
    layers: list[str] = field(default_factory=lambda: ["ram"])  # ubx-valset only: ram, bbr, flash
    tracking_channels: int = bounded(32, min=1, max=255, doc="ubx-cfg only: numTrkChHw/Use")
    baud_rate: int | None = bounded(None, min=300, max=4_000_000, doc="the receiver's baud rate; unset: detect")

    def __post_init__(self) -> None:
        for s in self.sentences:
            if s not in ubx.NMEA_MSG_ID or s not in ubx.NMEA_MSGOUT_I2C_KEY:
                raise ValueError(f"unknown NMEA sentence {s!r}")
        if "RMC" not in self.sentences:
            raise ValueError("sentences must include RMC (the only standard sentence with the date)")
        if "GGA" not in self.sentences and "GNS" not in self.sentences:
            raise ValueError("sentences must include GGA or GNS (altitude, HDOP, satellites)")
        for c in self.constellations:
            if c not in ubx.M8_CHANNELS:
                raise ValueError(f"unknown constellation {c!r}; known: {', '.join(ubx.M8_CHANNELS)}")
        if "GPS" not in self.constellations:
            raise ValueError("constellations must include GPS")
        if self.protocol == "ubx-cfg" and {"GLONASS", "BeiDou"} <= set(self.constellations):
            raise ValueError("u-blox M8 receivers cannot track GLONASS and BeiDou at the same time")
        for i in self.interfaces:
            if i not in ubx.INTERFACE_OFFSET:
                raise ValueError(f"unknown interface {i!r}; known: {', '.join(ubx.INTERFACE_OFFSET)}")
        for layer in self.layers:
            if layer not in ubx.LAYERS:
                raise ValueError(f"unknown layer {layer!r}; known: {', '.join(ubx.LAYERS)}")
        ubx.cfg_rate(self.rate_hz)  # raises for rates UBX cannot express


def gps_profile_dir() -> Path:
    return project_dir("firmware-config") / "gps"


def load_ubx_profile(name_or_path: str | Path) -> UbxProfile:
    """A profile by name (``ublox-m8``) from ``firmware-config/gps/``, or by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = gps_profile_dir() / f"{name_or_path}.toml"
        if not path.is_file():
            known = sorted(p.stem for p in gps_profile_dir().glob("*.toml"))
            raise ConfigError(f"no GPS profile {name_or_path!r}; known: {', '.join(known) or 'none'}")
    return load_dataclass(UbxProfile, read_toml(path), str(path))


def profile_messages(profile: UbxProfile) -> list[tuple[str, bytes]]:
    """The UBX messages that apply ``profile``, each with a short description, in sending order."""
    out: list[tuple[str, bytes]] = []
    if profile.protocol == "ubx-cfg":
        out.append(
            (f"CFG-GNSS {'+'.join(profile.constellations)}",
             ubx.cfg_gnss(profile.constellations, tracking_channels=profile.tracking_channels))
        )  # fmt: skip
        out.append((f"CFG-RATE {profile.rate_hz:g} Hz", ubx.cfg_rate(profile.rate_hz, time_ref=profile.time_ref)))
        for sentence in _touched(profile):
            on = sentence in profile.sentences
            out.append((f"CFG-MSG NMEA {sentence} {'on' if on else 'off'}", ubx.cfg_msg_nmea(sentence, int(on))))
        return out
    signals = [(ubx.SIGNAL_ENA_KEY[c], int(c in profile.constellations)) for c in ubx.SIGNAL_ENA_KEY]
    out.append((f"VALSET signals {'+'.join(profile.constellations)}", ubx.cfg_valset(signals, layers=profile.layers)))
    items = [
        (ubx.KEY_RATE_MEAS, round(1000.0 / profile.rate_hz)),
        (ubx.KEY_RATE_NAV, 1),
        (ubx.KEY_RATE_TIMEREF, ubx.TIME_REF[profile.time_ref]),
    ]
    for sentence in _touched(profile):
        for interface in profile.interfaces:
            items.append((ubx.nmea_msgout_key(sentence, interface), int(sentence in profile.sentences)))
    out.append((f"VALSET rate {profile.rate_hz:g} Hz and NMEA {'+'.join(profile.sentences)}",
                ubx.cfg_valset(items, layers=profile.layers)))  # fmt: skip
    return out


def _touched(profile: UbxProfile) -> list[str]:
    return list(DEFAULT_ON) + [s for s in profile.sentences if s not in DEFAULT_ON]


@dataclass(frozen=True, slots=True)
class SendResult:
    description: str
    acked: bool | None  # True ACK-ACK, False ACK-NAK, None no answer (or not waited for)


def send_messages(
    port: SerialPort, messages: list[tuple[str, bytes]], *, wait_ack: bool = True, timeout_s: float = 1.0
) -> list[SendResult]:
    """Write each message and (optionally) wait up to ``timeout_s`` for its ACK, skipping NMEA in between."""
    results = []
    parser = ubx.UbxParser()
    for description, message in messages:
        port.write(message)
        acked: bool | None = None
        if wait_ack:
            deadline = time.monotonic() + timeout_s
            while acked is None and time.monotonic() < deadline:
                waiting = port.in_waiting
                data = port.read(waiting if waiting > 0 else 1)
                if not data:
                    time.sleep(0.005)
                for reply in parser.feed(data):
                    acked = ubx.ack_for(message, reply)
                    if acked is not None:
                        break
        (log.info if acked is not False else log.warning)(
            "UBX %s: %s", description, {True: "acknowledged", False: "REJECTED", None: "no answer"}[acked]
        )
        results.append(SendResult(description, acked))
    return results


def configure_receiver(
    port_name: str, profile: UbxProfile, *, baud_rate: int | None = None, wait_ack: bool = True
) -> list[SendResult]:
    """Open ``port_name`` (detecting the rate unless given), send ``profile`` once, close."""
    from sensor.gps.serial_nmea import DEFAULT_BAUD_RATES, detect_baud_rate, serial_opener

    opener = serial_opener(port_name, read_timeout_s=0.1)
    rate = baud_rate or profile.baud_rate
    try:
        if rate is not None:
            port = opener(rate)
        else:
            found = detect_baud_rate(opener, DEFAULT_BAUD_RATES)
            if found is None:
                raise SourceError(f"{port_name}: no NMEA at any baud rate; is a GPS receiver attached?")
            rate, port = found
    except OSError as exc:
        raise SourceError(f"{port_name}: cannot open: {exc}") from None
    try:
        return send_messages(port, profile_messages(profile), wait_ack=wait_ack)
    finally:
        port.close()
