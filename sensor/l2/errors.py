"""Typed errors of the L2 (LAPDm) layer and the reasons a frame is discarded.

A block that is not a well-formed LAPDm frame raises an :class:`L2DecodeError` (a
:class:`sensor.errors.DecodeError`) carrying its :class:`Discard` reason; nothing else escapes the
decoders, whatever the octets. The link state machine never raises: it counts what it drops under
the same reasons (a frame that breaks the sequence, a message too long, a frame with no link), the
way libosmocore's ``lapdm.c`` and rtl_433's decoders count their discards. Encoders raise
:class:`L2EncodeError` for values out of range.
"""

from __future__ import annotations

import enum

from sensor.errors import DecodeError, SensorError


class Discard(str, enum.Enum):
    """Why a block, a frame or a segment was dropped; each value cites the TS 44.006 clause."""

    # the block
    BBIS_BLOCK = "§2.1: a BCCH/CCCH block is format Bbis, it has no LAPDm header"
    BLOCK_LENGTH = "§5.1: not a 23-octet block (21 octets after the SACCH L1 header)"
    SHORT_L2_HEADER = "§2.1, §3.3.1: EA bit 0, a format Bter short L2 header, not a LAPDm frame"
    # the frame's fields
    UNDEFINED_CONTROL = "§3.4 Table 3, §3.8 Table 4: control field not defined for LAPDm"
    LENGTH_EXTENDED = "§3.6: EL bit 0 (the length indicator is one octet in LAPDm)"
    LENGTH_OVER_N201 = "§3.6, §5.8.3: L larger than N201"
    INFO_NOT_ALLOWED = "§3.8: information field in an S, DM or DISC frame"
    EMPTY_I_FRAME = "§3.6, §3.8: I frame with L = 0"
    M_BIT_NOT_I = "§3.6: M bit set in a frame other than an I frame"
    LPD_NOT_NORMAL = "§3.2: LPD other than 00 (e.g. SMSCB): no data link of this sub-channel"
    # the link (procedure)
    NO_LINK = "§5.4: I, S or DISC frame while no link is established"
    SEQUENCE_ERROR = "§5.7.1: N(S) sequence error, a segment was missed: the message in part is dropped"
    MESSAGE_TOO_LONG = "§5.8.5: segments add up to more than 251 octets: the message is dropped"
    RELEASED_IN_PART = "§5.4.4: link released or reset with a message in part: its segments are dropped"
    CONTENTION_FAILED = "§5.4.1.4: contention resolution failed, the UA echo differs from the SABM"


class L2Error(SensorError):
    """Base of the L2 layer's errors."""


class L2DecodeError(L2Error, DecodeError):
    """A block is not a LAPDm frame this layer decodes; ``reason`` says why (and cites the clause)."""

    def __init__(self, reason: Discard, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason.value}{': ' + detail if detail else ''}")


class L2EncodeError(L2Error, ValueError):
    """A frame or block cannot be built from the given values."""
