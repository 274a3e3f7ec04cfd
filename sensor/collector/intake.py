"""What the collector does with a batch of received frames, apart from the sockets: check, store, answer.

For each frame: size, UTF-8 JSON, the envelope schema, and — when the transport authenticated
the sender — that the envelope's ``sensor`` is the name its public key is registered under.
Everything that passes is stored in one ``save_many`` commit and only then acknowledged
(duplicates included: the sensor resent because an earlier ack was lost). A frame that fails
is logged in one line, counted by reason, and refused with a nack when it carries a readable id,
so the sensor stops resending it; the others in the batch are not affected. When the store
fails, nothing of the batch is acknowledged: the sensors resend later.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sensor.collector.store import Store, StoreError
from sensor.publish.envelope import MAX_MESSAGE_BYTES, EnvelopeError, decode, message_id_of
from sensor.publish.reply import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    """One received message: who sent it (the socket's routing id), its bytes, and the name the
    authenticated key maps to (None when the link is not authenticated)."""

    peer: bytes
    data: bytes
    key_name: str | None = None
    extra_parts: int = 0  # frames beyond the one a sensor sends: not a sensor's message


@dataclass
class IntakeStats:
    received: int = 0
    received_bytes: int = 0
    stored: int = 0
    duplicates: int = 0
    acked: int = 0
    rejected: Counter[str] = field(default_factory=Counter)  # by reason: oversize, malformed, invalid, wrong_sensor
    store_errors: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)

    def copy(self) -> IntakeStats:
        return IntakeStats(self.received, self.received_bytes, self.stored, self.duplicates, self.acked,
                           Counter(self.rejected), self.store_errors, Counter(self.by_kind))  # fmt: skip


class Intake:
    """Checks, stores and answers batches of frames; keeps the counters of everything it saw."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.stats = IntakeStats()
        self.last_store_error: str | None = None

    def handle(self, frames: Sequence[Frame]) -> dict[bytes, Reply]:
        """The reply for each peer that gets one (acks only for what the store committed)."""
        accepted: list[tuple[bytes, dict[str, Any]]] = []
        nacks: dict[bytes, list[tuple[str | None, str]]] = {}
        for frame in frames:
            self.stats.received += 1
            self.stats.received_bytes += len(frame.data)
            env, reason, error = self._check(frame)
            if env is not None:
                accepted.append((frame.peer, env))
                continue
            self.stats.rejected[reason] += 1
            msg_id = _readable_id(frame.data) if reason != "oversize" else None
            who = frame.key_name or "unauthenticated peer"
            log.warning("rejected message %s from %s (%s): %s", msg_id or "(no id)", who, reason, error)
            nacks.setdefault(frame.peer, []).append((msg_id, error))
        acks: dict[bytes, list[str]] = {}
        if accepted:
            try:
                new = self.store.save_many([env for _, env in accepted])
            except StoreError as exc:
                self.stats.store_errors += 1
                self.last_store_error = str(exc)
                log.error(
                    "store failed, %d message(s) not acknowledged (the sensors will resend): %s", len(accepted), exc
                )
            else:
                self.last_store_error = None
                for (peer, env), is_new in zip(accepted, new, strict=True):
                    acks.setdefault(peer, []).append(env["id"])
                    if is_new:
                        self.stats.stored += 1
                        self.stats.by_kind[env["kind"]] += 1
                    else:
                        self.stats.duplicates += 1
                self.stats.acked += len(accepted)
        return {
            peer: Reply(acked=tuple(acks.get(peer, ())), nacked=tuple(nacks.get(peer, ())))
            for peer in set(acks) | set(nacks)
        }

    def _check(self, frame: Frame) -> tuple[dict[str, Any] | None, str, str]:
        """(envelope, "", "") if it passes, else (None, reason, one-line error)."""
        if frame.extra_parts:
            return None, "malformed", f"message has {frame.extra_parts + 1} parts, a sensor sends one"
        if len(frame.data) > MAX_MESSAGE_BYTES:
            return (
                None,
                "oversize",
                f"message of {len(frame.data)} bytes is larger than the {MAX_MESSAGE_BYTES} allowed",
            )
        try:
            env = decode(frame.data)
        except EnvelopeError as exc:
            text = str(exc)
            return None, ("invalid" if text.startswith("invalid envelope") else "malformed"), text
        if frame.key_name is not None and env["sensor"] != frame.key_name:
            return None, "wrong_sensor", f"sensor id {env['sensor']!r} does not match its key's name {frame.key_name!r}"
        return env, "", ""


def _readable_id(data: bytes) -> str | None:
    """The id of a refused message if it is readable JSON with one, so its sender can stop resending."""
    try:
        return message_id_of(json.loads(data))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
