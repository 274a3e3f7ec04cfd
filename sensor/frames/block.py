"""One decoded block as the outside world sees it: CONTRACT.md's ``block`` JSON object, and the
GSMTAP v2 header (Wireshark's convention) it goes out with over UDP and into pcap."""

from __future__ import annotations

from typing import Any

from sensor.frames.gsmtap import GSMTAP_CHANNEL_ACCH, GsmtapChannel, GsmtapHeader, channel_for
from sensor.model import L2Block
from sensor.utc import utc_iso

SCHEMA = 1


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def block_object(b: L2Block) -> dict[str, Any]:
    """``{"type":"block","schema":1,...}`` exactly as CONTRACT.md lists it (+ ``t_utc`` when known)."""
    obj: dict[str, Any] = {
        "type": "block",
        "schema": SCHEMA,
        "arfcn": b.arfcn,
        "fn": b.fn,
        "tn": b.tn,
        "channel": b.channel,
        "l2": b.octets.hex(),
        "crc_ok": b.crc_ok,
        "snr_db": _round(b.snr_db, 1),
        "rssi_dbfs": _round(b.rssi_dbfs, 1),
        "freq_offset_hz": _round(b.freq_offset_hz, 1),
        "t_s": _round(b.t_s, 4),
    }
    if b.sub is not None:
        obj["sub"] = b.sub
    if b.time_utc_s is not None:
        obj["t_utc"] = utc_iso(b.time_utc_s)
    return obj


def _sub_type(b: L2Block) -> int:
    """GSMTAP sub-type as gr-gsm sends it: an SDCCH/SACCH block of a known sub-channel is SDCCH/4's
    on timeslot 0 (combination V) and SDCCH/8's elsewhere (VII), its SACCH with the ACCH flag."""
    if b.sub is None or b.channel not in ("SDCCH", "SACCH"):
        return channel_for(b.channel)
    kind = GsmtapChannel.SDCCH4 if b.tn == 0 else GsmtapChannel.SDCCH8
    return int(kind) | (GSMTAP_CHANNEL_ACCH if b.channel == "SACCH" else 0)


def gsmtap_header(b: L2Block, *, signal_dbm: float | None = None) -> GsmtapHeader:
    """The GSMTAP header gr-gsm would send for this block (sub-type by channel, sub-slot its
    sub-channel, FN of its first burst)."""
    return GsmtapHeader(
        arfcn=b.arfcn,
        timeslot=b.tn,
        frame_number=b.fn,
        sub_type=_sub_type(b),
        sub_slot=0 if b.sub is None else b.sub,
        signal_dbm=signal_dbm,
        snr_db=b.snr_db,
        pcs=b.band == "PCS1900",
    )
