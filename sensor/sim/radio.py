"""The simulator as a radio: ``--device sim:SCENE.toml`` (``sim`` alone: the bundled patrol scene).

It behaves like the SDR its profile describes (sample rate, tuning range, usable bandwidth):
tune it anywhere and it streams the scene's cells within its passband, at the right offsets and
powers for that tuning, while scene time runs on and the car moves along the scene's route.
``realtime=True`` paces delivery to the wall clock like real hardware; otherwise it runs as fast
as the machine renders. ``position(t)`` is the simulated GPS: the route's position at scene time t.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from sensor.errors import ConfigError
from sensor.gps.source import PositionSource
from sensor.resources import project_dir
from sensor.sources.base import DeviceListing, DeviceSource, SourceInfo, _Clock
from sensor.sources.profiles import ReceiverProfile

DEFAULT_SCENE = "patrol.toml"


def default_scene_path() -> Path:
    return project_dir("recordings") / "scenes" / DEFAULT_SCENE


def list_devices() -> list[DeviceListing]:
    """The virtual receiver is not hardware: it is never listed as attached."""
    return []


class SimSource(DeviceSource):
    def __init__(
        self,
        scene_path: str | Path,
        *,
        profile: ReceiverProfile,
        center_hz: float,
        sample_rate_hz: float,
        gain_db: float | None = None,
        realtime: bool = False,
        start_utc_s: float | None = None,
        ppm_correction: float = 0.0,
    ) -> None:
        from sensor.sim.scene import load_scene

        self.scene_path = Path(scene_path)
        self.scene = load_scene(self.scene_path)
        super().__init__(
            source_id=f"sim:{self.scene.name}", sample_rate_hz=sample_rate_hz, center_hz=center_hz, gain_db=gain_db
        )
        self.profile = profile
        self.settle_s = profile.settle_s  # like the real tuner, the first samples after a retune are dropped
        self.realtime = realtime
        self.ppm_correction = ppm_correction  # like a driver's frequency correction: the scene's error minus this
        self.start_utc_s = time.time() if start_utc_s is None else start_utc_s
        self._renderer = None
        self._pending = np.empty(0, np.complex64)
        self._t0_mono: float | None = None
        self._delivered = 0
        # Sample k is scene time k / rate: block times come from the scene's clock, not the laptop's.
        self._clock = _SceneClock(anchor_sample=0, anchor_utc_s=self.start_utc_s)

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(
            source_id=self._source_id,
            driver="sim",
            hw=f"virtual {self.profile.description} (fbs-sensor simulator, scene {self.scene.name})",
            serial=None,
            tunable=True,
            tuning_range_hz=self.profile.tuning_range_hz,
            sample_rate_hz=self._rate_hz,
            usable_bandwidth_hz=self._rate_hz * self.profile.usable_bandwidth_fraction,
            native_datatype=self.scene.receiver.datatype,
        )

    @property
    def scene_time_s(self) -> float:
        return 0.0 if self._renderer is None else self._renderer.scene_time_s

    def position(self, t_s: float) -> tuple[float, float] | None:
        """The simulated GPS: (lat, lon) of the receiver at scene time ``t_s``, None without a route."""
        return None if self._renderer is None else self._renderer.position(t_s)

    def own_position_source(self) -> SimGps:
        """The virtual receiver's GPS (``--gps sim``), not started: what ``sensor.gps.open.open_gps``
        asks a radio that knows where it is."""
        return SimGps(self)

    def _open(self) -> None:
        from sensor.sim.render import SceneRenderer

        self._renderer = SceneRenderer(
            self.scene,
            center_hz=self._center_hz,
            sample_rate_hz=self._rate_hz,
            start_utc_s=self.start_utc_s,
            ppm_correction=self.ppm_correction,
        )
        self._set_gain(self._gain_db)
        self._pending = np.empty(0, np.complex64)
        self._t0_mono = None

    def _close(self) -> None:
        self._renderer = None

    def _tune(self, center_hz: float) -> None:
        if self._renderer is not None:
            self._renderer.retune(center_hz)
            # Rendered but undelivered samples are gone with the old tuning: the sample clock ran on.
            self._next_sample += len(self._pending)
            self._pending = np.empty(0, np.complex64)

    def _set_gain(self, gain_db: float | None) -> float | None:
        """Like a tuner: the scene's ``full_scale_dbm`` holds at the profile's default gain; more gain
        raises everything ahead of the ADC by the difference (so strong cells clip), less lowers it."""
        if self._renderer is not None:
            ref = self.profile.default_gain_db
            self._renderer.gain_offset_db = 0.0 if gain_db is None or ref is None else gain_db - ref
            self._next_sample += len(self._pending)  # rendered at the old gain: gone, the clock runs on
            self._pending = np.empty(0, np.complex64)
        return gain_db

    @property
    def clipped_components(self) -> int:
        """I and Q components that hit the ADC's full scale so far (what a gain control watches)."""
        return 0 if self._renderer is None else self._renderer.clipped_components

    def _read(self, n: int) -> tuple[np.ndarray, int | None]:
        assert self._renderer is not None
        r = self._renderer
        while len(self._pending) < n:
            hops = max(1, (n - len(self._pending)) // r.plan.hop_out + 1)
            self._pending = np.concatenate((self._pending, r.render(hops)))
        out, self._pending = self._pending[:n], self._pending[n:]
        if self.realtime:
            if self._t0_mono is None:
                self._t0_mono = time.monotonic()
            self._delivered += n
            wait = self._t0_mono + self._delivered / self._rate_hz - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        return out, 0


class _SceneClock(_Clock):
    def reset(self) -> None:  # the scene's clock never re-anchors (retunes keep counting samples)
        pass


class SimGps(PositionSource):
    """The virtual receiver's GPS: a 1 Hz fix of the route position at each whole second of scene
    time, published as scene time passes (``--gps sim``)."""

    def __init__(self, sim: SimSource) -> None:
        super().__init__(f"sim:{sim.scene.name}")
        self.sim = sim
        self._next_s = 0  # next whole scene second to publish

    def _start(self) -> None:
        pass

    def _catch_up(self, until_utc_s: float) -> None:
        from sensor.sim.output import route_fix

        if self.sim.scene.route is None:
            return
        while self.sim.start_utc_s + self._next_s <= until_utc_s + 1.0:
            self._publish(route_fix(self.sim.scene, float(self._next_s), start_utc_s=self.sim.start_utc_s))
            self._next_s += 1

    def position_at(self, time_utc_s: float | None) -> dict[str, Any] | None:
        if time_utc_s is not None:
            self._catch_up(time_utc_s)
        return super().position_at(time_utc_s)


def from_profile(
    arg: str | None,
    profile: ReceiverProfile,
    *,
    center_hz: float,
    sample_rate_hz: float,
    gain_db: float | None,
    ppm: float,
    bias_tee: bool,
    realtime: bool = False,
) -> SimSource:
    path = Path(arg) if arg else default_scene_path()
    if not path.is_file():
        raise ConfigError(f"sim: scene file {path} not found (give --device sim:SCENE.toml)")
    return SimSource(
        path,
        profile=profile,
        center_hz=center_hz,
        sample_rate_hz=sample_rate_hz,
        gain_db=gain_db,
        realtime=realtime,
        ppm_correction=ppm,
    )
