"""Segmentation of an L3 message over I frames (TS 44.006 §5.8.5, §3.6), the sender's side.

An L3 message longer than N201 octets is carried by consecutive I frames: each information field
holds at most N201 octets, the M bit is set on all but the last (§3.6). Each I frame takes N(S) = V(S)
and N(R) = V(R) of the sending side's link state; V(S) then counts up modulo 8 (§3.5.2). The state is
an explicit argument and return value: nothing here keeps time or state of its own.

Example: a 30-octet message on SDCCH (N201 = 20) with V(S) 0, V(R) 1 becomes two I frames,
``N(S) 0 N(R) 1 M 1 L 20`` (control ``0x20``, length ``0x53``) and ``N(S) 1 N(R) 1 M 0 L 10``
(control ``0x22``, length ``0x29``); V(S) is then 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import L2EncodeError
from .frame import Frame
from .ts44006 import MAX_L3_OCTETS, MODULUS, FrameType


@dataclass(frozen=True, slots=True)
class SendState:
    """The sending side's state variables (§3.5.2): V(S), the next N(S); V(R), the next N(S) expected
    from the peer (sent as N(R))."""

    vs: int = 0
    vr: int = 0


def split_info(l3: bytes, n201: int) -> list[bytes]:
    """The information fields carrying ``l3``, N201 octets each but the last."""
    if not 1 <= len(l3) <= MAX_L3_OCTETS:
        raise L2EncodeError(f"an L3 message in I frames has 1..{MAX_L3_OCTETS} octets (§5.8.5), got {len(l3)}")
    if n201 < 1:
        raise L2EncodeError(f"N201 must be positive, got {n201}")
    return [bytes(l3[i : i + n201]) for i in range(0, len(l3), n201)]


def i_frames(l3: bytes, state: SendState, *, n201: int, sapi: int, c_r: int) -> tuple[list[Frame], SendState]:
    """The I frames carrying ``l3`` in order, and the state after them (V(S) advanced)."""
    parts = split_info(l3, n201)
    frames = [
        Frame(
            FrameType.I,
            sapi=sapi,
            c_r=c_r,
            ns=(state.vs + i) % MODULUS,
            nr=state.vr,
            m=i < len(parts) - 1,
            info=part,
        )
        for i, part in enumerate(parts)
    ]
    return frames, SendState((state.vs + len(parts)) % MODULUS, state.vr)
