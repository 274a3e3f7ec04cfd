"""Device specs (``--device``) and the registry of radio backends, imported only when used.

A spec is ``DRIVER[:ARG]``: ``rtlsdr`` (first dongle), ``rtlsdr:FBS0001`` (by serial),
``hackrf``/``hackrf:SERIAL``, ``soapy:driver=airspy,serial=...`` (SoapySDR keyword arguments),
``sim``/``sim:SCENE.toml`` (the simulator as a virtual receiver, emulating its profile's radio),
``file:RECORDING`` (a SigMF recording read as the receiver, as fast as it is taken: ``sources.file``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from sensor.errors import ConfigError, DeviceNotFound, DriverUnavailable, SourceError
from sensor.sources.base import DeviceListing, DeviceSource
from sensor.sources.profiles import DEFAULT_PROFILE, ReceiverProfile, load_profile

BACKENDS = {
    "rtlsdr": "sensor.sources.rtlsdr",
    "hackrf": "sensor.sources.hackrf",
    "soapy": "sensor.sources.soapy",
    "sim": "sensor.sim.radio",
    "file": "sensor.sources.file",
}


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    driver: str
    arg: str | None  # serial (rtlsdr, hackrf), SoapySDR "key=value,..." string, or a scene file (sim)

    def __str__(self) -> str:
        return self.driver if self.arg is None else f"{self.driver}:{self.arg}"


def parse_device_spec(spec: str) -> DeviceSpec:
    driver, _, arg = spec.strip().partition(":")
    driver = driver.lower()
    if driver not in BACKENDS:
        raise ConfigError(f"unknown device {spec!r}: expected {', '.join(f'{d}[:...]' for d in BACKENDS)}")
    return DeviceSpec(driver, arg or None)


def backend(driver: str) -> ModuleType:
    return importlib.import_module(BACKENDS[driver])


def resolve_profile(spec: DeviceSpec, profile: str | None) -> ReceiverProfile:
    if spec.driver == "file":  # the recording is its own receiver: its centre, its rate
        if profile:
            raise ConfigError("--profile is for radios: a recording (--device file:PATH) brings its own")
        from sensor.sources.file import recording_profile

        return recording_profile(spec.arg)
    prof = load_profile(profile or DEFAULT_PROFILE[spec.driver])
    if prof.driver != spec.driver and spec.driver not in ("soapy", "sim"):
        raise ConfigError(f"profile {prof.name!r} is for {prof.driver} receivers, not {spec.driver}")
    return prof


def open_device(
    spec: str,
    *,
    profile: str | None = None,
    center_hz: float,
    sample_rate_hz: float | None = None,
    gain_db: float | str | None = None,
    ppm: float | None = None,
    bias_tee: bool | None = None,
) -> DeviceSource:
    """Open the receiver ``spec`` with its profile's defaults for whatever is not given.

    ``gain_db`` is dB, ``"auto"`` for automatic gain control, or None for the profile's default.
    The source is returned opened and tuned.
    """
    dspec = parse_device_spec(spec)
    prof = resolve_profile(dspec, profile)
    rate = sample_rate_hz or prof.default_sample_rate_hz
    if not prof.rate_supported(rate):
        raise ConfigError(
            f"{prof.name} cannot run at {rate / 1e6:g} Msps (profile {prof.name}: see `fbs-sensor profiles`)"
        )
    if not prof.can_tune(center_hz):
        lo, hi = prof.tuning_range_hz
        raise ConfigError(f"{prof.name} cannot tune to {center_hz / 1e6:.3f} MHz (range {lo / 1e6:g}-{hi / 1e6:g} MHz)")
    if gain_db == "auto":
        gain: float | None = None
    elif gain_db is None:
        gain = prof.default_gain_db
    else:
        if not prof.gain_supported(float(gain_db)):
            raise ConfigError(f"{prof.name}: gain {gain_db} dB is outside {prof.gain_limits_db()}")
        gain = prof.nearest_gain_db(float(gain_db))
    if bias_tee and not prof.bias_tee:
        raise ConfigError(f"{prof.name} has no bias tee")
    source = backend(dspec.driver).from_profile(
        dspec.arg,
        prof,
        center_hz=center_hz,
        sample_rate_hz=rate,
        gain_db=gain,
        ppm=prof.default_ppm if ppm is None else ppm,
        bias_tee=prof.bias_tee_default if bias_tee is None else bias_tee,
    )
    source.open()
    return source


def list_all_devices() -> tuple[list[DeviceListing], dict[str, str]]:
    """Every attached receiver, and for each driver that could not be asked, why not."""
    found: list[DeviceListing] = []
    problems: dict[str, str] = {}
    for driver in BACKENDS:
        try:
            found.extend(backend(driver).list_devices())
        except DriverUnavailable as exc:
            problems[driver] = str(exc)
        except (DeviceNotFound, SourceError) as exc:
            problems[driver] = str(exc)
    unique = {d.spec: d for d in found}
    native = [d for d in unique.values() if d.driver != "soapy"]
    return [d for d in unique.values() if not _also_native(d, native)], problems


def _also_native(listing: DeviceListing, native: list[DeviceListing]) -> bool:
    """A SoapySDR listing of a radio that its own backend lists too (SoapySDR's rtlsdr and hackrf
    modules see the same dongle): one radio, listed once, under the native spec. HackRF serials
    are matched as libhackrf matches them (one may be the other's tail)."""
    if listing.driver != "soapy":
        return False
    args = backend("soapy").parse_device_args(listing.spec.removeprefix("soapy:"))
    driver, serial = args.get("driver"), (args.get("serial") or "").lower()
    if driver not in ("rtlsdr", "hackrf") or not serial:
        return False
    return any(d.driver == driver and _same_serial(driver, (d.serial or "").lower(), serial) for d in native)


def _same_serial(driver: str, a: str, b: str) -> bool:
    return bool(a) and (a == b or (driver == "hackrf" and (a.endswith(b) or b.endswith(a))))
