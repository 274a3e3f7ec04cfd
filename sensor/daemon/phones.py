"""What the daemon publishes of the phones a cell works: ``session`` and ``sms`` envelope bodies.

The bodies are CONTRACT.md's ``session`` and ``sms`` objects (``sensor/sessions/output.py``) with
what the collector needs to merge many sensors and place them (``envelope-1.json``,
``phone_traffic_extensions``):

* ``t_utc``: UTC time of the session's assignment, of the SMS's first part. Sessions and SMS carry
  the stream time ``t_s`` of their block; :class:`StreamClock` maps it to UTC with the offset the
  blocks of that carrier had when they were received (constant within a tuning visit, re-anchored
  at each retune of a real radio), so a session that closes visits later still gets the time it
  began;
* ``position``: where the sensor was at that time (the scanner's GPS, as for observations), or
  None without a fix;
* ``mcc``/``mnc``/``lac``/``cell_id``: the identity the cell tracker holds for that ARFCN + BSIC
  (None until its SI3/SI4 was decoded);
* ``identities``: ``"keyed"`` (``phone`` is a keyed hash) or ``"raw"`` (``--keep-identities``); the
  schema refuses a body whose phone is not a keyed hash unless it says ``"raw"``;
* ``id`` (and an SMS's ``session``) prefixed with the run's id: the tracker numbers sessions from 1
  in every process, the collector keeps every sensor's every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sensor.cells import CellTracker
from sensor.gps.source import PositionSource
from sensor.intel import analysed_sms
from sensor.intel.campaigns import CampaignBook
from sensor.model import L2Block
from sensor.publish.envelope import new_message_id
from sensor.sessions import Session, SmsRecord, session_object
from sensor.utc import utc_iso

CarrierKey = tuple[int, int | None]
MAX_SEGMENTS = 256  # clock segments kept per carrier (one per visit): hours of visits back
SAME_OFFSET_S = 1e-3  # offsets closer than this are one segment (float rounding of the two clocks)


class StreamClock:
    """Stream time (``L2Block.t_s``) → UTC, per carrier, from the blocks as they arrive.

    A segment is (first t_s, last t_s, UTC − t_s) over blocks whose offset stayed the same; a
    new segment starts when the offset changes (a retune re-anchors a radio's clock) or the stream
    time goes back (the receiver was reopened and counts from 0 again).
    """

    def __init__(self, max_segments: int = MAX_SEGMENTS) -> None:
        self.max_segments = max_segments
        self._segments: dict[CarrierKey, list[list[float]]] = {}

    def add(self, block: L2Block) -> None:
        if block.t_s is None or block.time_utc_s is None:
            return
        offset = block.time_utc_s - block.t_s
        segments = self._segments.setdefault((block.arfcn, block.bsic), [])
        last = segments[-1] if segments else None
        if last is not None and abs(last[2] - offset) < SAME_OFFSET_S and block.t_s >= last[1]:
            last[1] = block.t_s
            return
        segments.append([block.t_s, block.t_s, offset])
        del segments[: -self.max_segments]

    def utc_s(self, arfcn: int, bsic: int | None, t_s: float | None) -> float | None:
        """UTC seconds of stream time ``t_s`` on that carrier: the newest segment holding it, else the
        newest that began before it; None when the carrier gave no UTC time."""
        segments = self._segments.get((arfcn, bsic))
        if t_s is None or not segments:
            return None
        before = None
        for first, last, offset in reversed(segments):
            if first <= t_s <= last:
                return t_s + offset
            if before is None and first <= t_s:
                before = offset
        return t_s + (segments[0][2] if before is None else before)


class PhoneTraffic:
    """Closed sessions and completed SMS → (kind, body) pairs for the outbox."""

    def __init__(self, *, keep_identities: bool = False, run_id: str | None = None) -> None:
        self.identities = "raw" if keep_identities else "keyed"
        self.run_id = run_id or new_message_id()
        self.clock = StreamClock()
        self.campaigns = CampaignBook()  # the run's campaigns: an SMS published joins one, its id kept

    def global_id(self, local: str | None) -> str | None:
        """The tracker's session id made unique across runs and sensors."""
        return None if local is None else f"{self.run_id}-{local}"

    def items(
        self,
        sessions: Iterable[Session],
        sms: Iterable[SmsRecord],
        *,
        cells: CellTracker | None,
        gps: PositionSource | None,
    ) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        for s in sessions:
            body = session_object(s)
            body["id"] = self.global_id(s.id)
            out.append(("session", self._extend(body, cells, gps)))
        bodies = [analysed_sms(m) for m in sms]  # links, numbers, sender analysis: what anti-fraud teams act on
        self.campaigns.fill(bodies)
        for m, body in zip(sms, bodies, strict=True):
            body["session"] = self.global_id(m.session)
            out.append(("sms", self._extend(body, cells, gps)))
        return out

    def _extend(self, body: dict[str, Any], cells: CellTracker | None, gps: PositionSource | None) -> dict[str, Any]:
        arfcn, bsic = body["arfcn"], body["bsic"]
        utc_s = self.clock.utc_s(arfcn, bsic, body["t_s"])
        cell = None if cells is None else cells.cells.get((arfcn, bsic))
        mcc, mnc, lac, cell_id = (None, None, None, None) if cell is None else cell.identity
        body.update(
            t_utc=None if utc_s is None else utc_iso(utc_s),
            position=gps.position_at(utc_s) if gps is not None and utc_s is not None else None,
            mcc=mcc,
            mnc=mnc,
            lac=lac,
            cell_id=cell_id,
            identities=self.identities,
        )
        return body
