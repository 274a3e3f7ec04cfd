"""A fake radio backend for CLI tests: the registry's backend interface, no driver behind it.

Behaviour is set through module attributes (reset by the ``fake_radio`` fixture):
``FAIL_AFTER_BLOCKS`` sends this process SIGINT after that many blocks (a Ctrl-C: whatever handler is
in place, Python's or the CLI's, raises KeyboardInterrupt there);
``DEVICES`` is what ``list_devices`` returns; ``ABSENT`` makes opening fail as with no radio plugged in.
"""

from __future__ import annotations

import signal
import sys

import numpy as np

from sensor.errors import DeviceNotFound
from sensor.sources.base import DeviceListing, DeviceSource, SourceInfo

FAIL_AFTER_BLOCKS: int | None = None
DEVICES: list[DeviceListing] = []
ABSENT = False
OPENED: list[FakeRadio] = []


class FakeRadio(DeviceSource):
    def __init__(self, serial, profile, *, center_hz, sample_rate_hz, gain_db, ppm, bias_tee):
        super().__init__(
            source_id=f"fake:{serial or '0'}", sample_rate_hz=sample_rate_hz, center_hz=center_hz, gain_db=gain_db
        )
        self.profile = profile
        self.ppm = ppm
        self.bias_tee = bias_tee
        self.reads = 0
        self._phase = 0

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(
            source_id=self._source_id,
            driver=self.profile.driver,
            hw="Fake radio",
            serial="F00D",
            tunable=True,
            tuning_range_hz=self.profile.tuning_range_hz,
            sample_rate_hz=self._rate_hz,
            usable_bandwidth_hz=self.profile.usable_bandwidth_hz,
            native_datatype=self.profile.native_datatype,
        )

    def _open(self):
        if ABSENT:
            raise DeviceNotFound(f"{self._source_id}: no such receiver attached")
        OPENED.append(self)

    def _close(self):
        pass

    def _tune(self, center_hz):
        pass

    def _set_gain(self, gain_db):
        return gain_db

    def _read(self, n):
        self.reads += 1
        if FAIL_AFTER_BLOCKS is not None and self.reads > FAIL_AFTER_BLOCKS:
            signal.raise_signal(signal.SIGINT)  # its handler runs before this returns
            raise AssertionError("SIGINT did not interrupt the read")
        k = np.arange(self._phase, self._phase + n)
        self._phase += n
        return (0.5 * np.exp(2j * np.pi * 0.05 * k)).astype(np.complex64), 0


def from_profile(serial, profile, **kwargs):
    return FakeRadio(serial, profile, **kwargs)


def list_devices():
    return list(DEVICES)


def install(monkeypatch) -> object:
    """Every driver of the device registry opens this fake (reset to its defaults) for the test."""
    from sensor.sources import devices as registry

    this = sys.modules[__name__]
    monkeypatch.setitem(sys.modules, "fake_radio_backend", this)
    for driver in registry.BACKENDS:
        monkeypatch.setitem(registry.BACKENDS, driver, "fake_radio_backend")
    monkeypatch.setattr(this, "FAIL_AFTER_BLOCKS", None)
    monkeypatch.setattr(this, "DEVICES", [])
    monkeypatch.setattr(this, "ABSENT", False)
    OPENED.clear()
    return this
