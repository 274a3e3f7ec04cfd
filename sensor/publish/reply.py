"""The collector's answer to a sensor: which message ids it has committed, and which it never will take.

``{"ack":["<id>",...]}`` — stored (or already stored: a resend), the sensor may forget them;
``{"nack":[{"id":"<id>"|null,"error":"<one line>"}]}`` — refused for good (invalid, oversized,
sensor id not matching its key): resending cannot help, so the sensor sets them aside. Both keys
may appear in one reply; an empty reply is never sent. A message that the collector could not
store for a passing reason (store error) gets neither, and the sensor resends it after its timeout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sensor.errors import InputError

MAX_REPLY_BYTES = 1024 * 1024
MAX_ERROR_CHARS = 300


class ReplyError(InputError):
    """A reply from the collector is not one this sensor understands."""


@dataclass(frozen=True)
class Reply:
    acked: tuple[str, ...] = ()
    nacked: tuple[tuple[str | None, str], ...] = ()  # (message id or None when it was unreadable, reason)

    def __bool__(self) -> bool:
        return bool(self.acked or self.nacked)


def encode_reply(reply: Reply) -> bytes:
    obj: dict[str, object] = {}
    if reply.acked:
        obj["ack"] = list(reply.acked)
    if reply.nacked:
        obj["nack"] = [{"id": i, "error": e[:MAX_ERROR_CHARS]} for i, e in reply.nacked]
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode_reply(data: bytes) -> Reply:
    """Parse and check a reply; ``ReplyError`` with a one-line reason if it is not one."""
    if len(data) > MAX_REPLY_BYTES:
        raise ReplyError(f"reply of {len(data)} bytes is larger than the {MAX_REPLY_BYTES} allowed")
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReplyError(f"reply is not JSON: {exc}") from None
    if not isinstance(obj, dict) or not set(obj) <= {"ack", "nack"}:
        raise ReplyError("reply is not an object with only 'ack' and 'nack'")
    acked = obj.get("ack", [])
    nacked = obj.get("nack", [])
    if not isinstance(acked, list) or not all(isinstance(i, str) for i in acked):
        raise ReplyError("reply 'ack' is not a list of message ids")
    if not isinstance(nacked, list) or not all(
        isinstance(n, dict) and isinstance(n.get("id"), (str, type(None))) and isinstance(n.get("error"), str)
        for n in nacked
    ):
        raise ReplyError("reply 'nack' is not a list of {id, error} objects")
    return Reply(acked=tuple(acked), nacked=tuple((n["id"], n["error"]) for n in nacked))
