"""``fbs-sensor devices`` lists each radio once: a dongle that SoapySDR's rtlsdr or hackrf module also
enumerates is listed under its native spec; other SoapySDR radios, and radios whose serial differs,
stay listed."""

from __future__ import annotations

import pytest

from sensor.sources import devices
from sensor.sources.base import DeviceListing
from sensor.sources.soapy import parse_device_args

HACKRF_SERIAL = "0000000000000000457863dc2b4a2d5f"


class _Backend:
    def __init__(self, listings: list[DeviceListing]) -> None:
        self.listings = listings
        self.parse_device_args = parse_device_args

    def list_devices(self) -> list[DeviceListing]:
        return self.listings


@pytest.fixture
def attached(monkeypatch):  # type: ignore[no-untyped-def]
    native_rtl = [DeviceListing("rtlsdr", "rtlsdr:00000001", "00000001", "Realtek RTL2838UHIDIR")]
    native_hackrf = [DeviceListing("hackrf", f"hackrf:{HACKRF_SERIAL}", HACKRF_SERIAL, "HackRF One")]
    soapy = [
        DeviceListing("soapy", "soapy:driver=rtlsdr,serial=00000001", "00000001", "Generic RTL2832U"),
        DeviceListing("soapy", "soapy:driver=rtlsdr,serial=00000002", "00000002", "Generic RTL2832U"),
        DeviceListing("soapy", "soapy:driver=hackrf,serial=457863dc2b4a2d5f", "457863dc2b4a2d5f", "HackRF One"),
        DeviceListing("soapy", "soapy:driver=airspy,serial=a1b2", "a1b2", "Airspy R2"),
    ]
    fakes = {"rtlsdr": _Backend(native_rtl), "hackrf": _Backend(native_hackrf), "soapy": _Backend(soapy),
             "sim": _Backend([]), "file": _Backend([])}  # fmt: skip
    monkeypatch.setattr(devices, "backend", lambda driver: fakes[driver])


def test_each_radio_is_listed_once_under_its_native_spec(attached):  # type: ignore[no-untyped-def]
    found, problems = devices.list_all_devices()
    assert problems == {}
    assert [d.spec for d in found] == [
        "rtlsdr:00000001",
        f"hackrf:{HACKRF_SERIAL}",
        "soapy:driver=rtlsdr,serial=00000002",  # a second dongle the native driver did not list
        "soapy:driver=airspy,serial=a1b2",
    ]
