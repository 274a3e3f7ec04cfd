"""Typed errors of the SMS layer (TS 23.040 TPDUs, TS 23.038 text).

Every failure to decode hostile octets is an :class:`SmsDecodeError`, a subclass of
:class:`sensor.errors.DecodeError`; nothing else escapes the decoders, whatever the octets. Every
failure to build (a value out of range, text that does not fit, more than 255 parts) is an
:class:`SmsEncodeError`.
"""

from __future__ import annotations

from sensor.errors import DecodeError, SensorError


class SmsDecodeError(DecodeError):
    """A TPDU, address, user data header or text could not be decoded."""


class UnsupportedTpdu(SmsDecodeError):
    """A well-formed first octet whose TP-MTI names a TPDU we do not decode (or a reserved one)."""


class SmsEncodeError(SensorError, ValueError):
    """A TPDU, field or text cannot be built from the given values."""
