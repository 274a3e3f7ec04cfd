"""Typed errors of the L3 (System Information) layer.

Every failure to parse an L2 frame is an :class:`L3ParseError`, a subclass of
:class:`sensor.errors.DecodeError`; nothing else escapes the parsers, whatever the octets.
Every failure to build (a value out of range, a frequency list that does not fit a format)
is an :class:`L3EncodeError`.
"""

from __future__ import annotations

from sensor.errors import DecodeError, SensorError


class L3ParseError(DecodeError):
    """An L2 frame or an information element could not be parsed."""


class TruncatedMessage(L3ParseError):
    """The octets end before a mandatory field or a field announced as present."""


class NotSystemInformation(L3ParseError):
    """A well-formed RR header whose message type is not a BCCH System Information type we parse."""


class L3EncodeError(SensorError, ValueError):
    """A message or information element cannot be built from the given values."""


class FrequencyListEncodeError(L3EncodeError):
    """A set of ARFCNs cannot be encoded in the requested (or in any) frequency list format."""
