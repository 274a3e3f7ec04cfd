"""Parsing what a field officer types: physical quantities (``953.6M``, ``2.4e6``, ``1.8GHz``), gains,
positions and network addresses (``HOST:PORT``)."""

from __future__ import annotations

import re

import click

from sensor.errors import ConfigError

_SUFFIX = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "g": 1e9, "G": 1e9}
_QUANTITY_RE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([kKmMgG]?)(?:Hz|hz|sps|SPS|S/s)?\s*$")


def parse_si(text: str) -> float:
    """``'953.6M'`` → 953.6e6. Raises ValueError for anything else."""
    m = _QUANTITY_RE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a number (e.g. 953.6e6, 953.6M, 2.4Msps)")
    return float(m.group(1)) * _SUFFIX[m.group(2)]


class SIQuantity(click.ParamType):
    """A click type for frequencies and rates with optional k/M/G suffix."""

    name = "hz"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        try:
            return parse_si(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


HZ = SIQuantity()


class GainType(click.ParamType):
    """A gain in dB, or ``auto`` (returned as the string "auto") for automatic gain control."""

    name = "db|auto"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        try:
            return float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a gain in dB or 'auto'", param, ctx)


GAIN = GainType()


class PositionType(click.ParamType):
    """``LAT,LON[,ALT]`` in degrees and metres."""

    name = "lat,lon[,alt]"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        if isinstance(value, tuple):
            return value
        parts = str(value).split(",")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            self.fail(f"{value!r} is not LAT,LON[,ALT]", param, ctx)
        if len(nums) not in (2, 3) or not -90 <= nums[0] <= 90 or not -180 <= nums[1] <= 180:
            self.fail(f"{value!r} is not LAT,LON[,ALT] with -90<=LAT<=90 and -180<=LON<=180", param, ctx)
        return tuple(nums) if len(nums) == 3 else (nums[0], nums[1], None)


POSITION = PositionType()


def parse_bind(text: str, what: str, *, example: str, min_port: int = 0) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT`` or ``:PORT`` (127.0.0.1) → (host, port); otherwise a
    ``ConfigError`` naming ``what`` (the option) and showing ``example``. Port 0 (any free port)
    suits an address to listen on; a destination gives ``min_port=1``."""
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        raise ConfigError(f"{what} {text!r}: give HOST:PORT (e.g. {example})")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"{what} {text!r}: port {port!r} is not a number") from None
    if not min_port <= number <= 65535:
        raise ConfigError(f"{what} {text!r}: port out of range")
    return host, number
