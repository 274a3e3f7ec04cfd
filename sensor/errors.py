"""Typed errors under one base class.

The CLI turns every ``SensorError`` into one line on standard error and exit status 2
(``SensorError.exit_code``); anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class SensorError(Exception):
    """Base of every error the sensor raises on purpose."""

    exit_code = 2


class ConfigError(SensorError):
    """A configuration, profile or scene file is missing, malformed or has a wrong key or value."""


class InputError(SensorError):
    """A recording or other input file is missing, malformed, of an unknown datatype or truncated."""


class SourceError(SensorError):
    """An IQ source failed."""


class DeviceNotFound(SourceError):
    """No receiver matches the request, or its driver is not installed."""


class DriverUnavailable(DeviceNotFound):
    """The driver library or tool for a kind of receiver is not installed."""


class DeviceLost(SourceError):
    """The receiver went away mid-stream (unplugged, driver process died). Reopen to recover."""


class SourceTimeout(SourceError):
    """The receiver delivered no samples within the timeout. Streaming may be retried."""


class DecodeError(SensorError):
    """A block or message could not be decoded."""
