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

import numpy as np

from sensor.errors import ConfigError
from sensor.profiles import ReceiverProfile
from sensor.resources import project_dir
from sensor.sources.base import DeviceListing, DeviceSource, SourceInfo

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
    ) -> None:
        from sensor.sim.scene import load_scene  # noqa: PLC0415 - keep `import sensor.sources.sim` light

        self.scene_path = Path(scene_path)
        self.scene = load_scene(self.scene_path)
        super().__init__(source_id=f"sim:{self.scene.name}", sample_rate_hz=sample_rate_hz, center_hz=center_hz, gain_db=gain_db)
        self.profile = profile
        self.settle_s = profile.settle_s  # like the real tuner, the first samples after a retune are dropped
        self.realtime = realtime
        self.start_utc_s = time.time() if start_utc_s is None else start_utc_s
        self._renderer = None
        self._pending = np.empty(0, np.complex64)
        self._t0_mono: float | None = None
        self._delivered = 0

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

    def _open(self) -> None:
        from sensor.sim.render import SceneRenderer  # noqa: PLC0415

        self._renderer = SceneRenderer(self.scene, center_hz=self._center_hz, sample_rate_hz=self._rate_hz,
                                       start_utc_s=self.start_utc_s)
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
        return gain_db

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


def from_profile(arg: str | None, profile: ReceiverProfile, *, center_hz: float, sample_rate_hz: float,
                 gain_db: float | None, ppm: float, bias_tee: bool, realtime: bool = False) -> SimSource:
    path = Path(arg) if arg else default_scene_path()
    if not path.is_file():
        raise ConfigError(f"sim: scene file {path} not found (give --device sim:SCENE.toml)")
    return SimSource(path, profile=profile, center_hz=center_hz, sample_rate_hz=sample_rate_hz, gain_db=gain_db,
                     realtime=realtime)
