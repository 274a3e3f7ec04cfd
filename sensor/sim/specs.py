"""A scene as data: the receiver, the cells, the fake stations, the route and the evaluation labels
(``scene.py`` loads them from TOML and checks them, ``fakes.py`` turns fake stations into cells)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sensor.gsm.burst import FRAME_SYMBOLS
from sensor.l3.cell import CellParams
from sensor.schema import bounded
from sensor.sim.fake_traffic import WorkSpec
from sensor.sim.propagation import PathLossModel
from sensor.sim.real_traffic import RealTrafficSpec

Multipath = Literal["none", "tu", "static"]
CcchTraffic = Literal["idle", "live", "catcher"]
Dedicated = Literal["sdcch4", "sdcch8"]


@dataclass(frozen=True, slots=True)
class ReceiverSpec:
    center_hz: float = bounded(min=1e6, max=6e9, doc="tuned centre frequency")
    sample_rate_hz: float = bounded(2.4e6, min=200e3, max=61.44e6)
    ppm: float = bounded(0.0, min=-200.0, max=200.0, doc="receiver clock error: positive = LO high")
    noise_dbfs: float = bounded(-70.0, max=0.0, doc="noise power in 270.833 kHz, dBFS")
    dc_dbfs: float | None = bounded(None, max=0.0, doc="LO leakage at the centre (None: none)")
    iq_gain_db: float = bounded(0.0, min=-6.0, max=6.0)
    iq_phase_deg: float = bounded(0.0, min=-20.0, max=20.0)
    datatype: str = bounded("cf32_le", choices=("cf32_le", "ci16_le", "ci8", "cu8"), doc="quantise like this ADC")
    full_scale_dbm: float = bounded(-20.0, doc="antenna power that reads 0 dBFS (for dBm transmitters)")
    drift_ppm_per_min: float = bounded(0.0, min=0.0, max=10.0, doc="clock random walk, ppm per √minute (offsets.py)")


@dataclass(frozen=True, slots=True)
class CellSpec:
    arfcn: int = bounded(min=0, max=1023)
    name: str = ""
    band: str | None = None  # needed only where ARFCNs are ambiguous (DCS1800 / PCS1900)
    bsic: int = bounded(0, min=0, max=63)
    params: CellParams = field(default_factory=CellParams)
    power_dbfs: float | None = bounded(None, max=10.0, doc="received power; or give tx_power_dbm + position")
    tx_power_dbm: float | None = bounded(None, min=-30.0, max=70.0)
    position: tuple[float, float] | None = None  # (lat_deg, lon_deg)
    cfo_hz: float = bounded(0.0, min=-100e3, max=100e3, doc="transmitter frequency error in Hz")
    cfo_ppm: float = bounded(0.0, min=-50.0, max=50.0, doc="transmitter frequency error in ppm")
    # its oscillator's random walk (sim/offsets.py); 0: locked to the network's reference, as a real cell is
    drift_ppm_per_min: float = bounded(0.0, min=0.0, max=10.0, doc="oscillator random walk, ppm per √minute")
    timing_symbols: float = bounded(0.0, min=0.0, max=float(FRAME_SYMBOLS), doc="start delay within the TDMA frame")
    start_fn: int = bounded(0, min=0, max=2715647)
    multipath: Multipath = "none"  # "tu": Rayleigh-faded TU6; "static": the fixed paths below
    paths_delay_us: tuple[float, ...] = (0.0, 1.0, 3.7)
    paths_power_db: tuple[float, ...] = (0.0, -4.0, -10.0)
    doppler_hz: float | None = bounded(None, min=0.0, max=1000.0, doc="fading rate; default from route speed")
    on_s: float = bounded(0.0, min=0.0, doc="transmitter switches on at this time")
    off_s: float | None = bounded(None, min=0.0, doc="and off at this time (None: never)")
    ccch_traffic: CcchTraffic = "idle"  # "live": pages phones; "catcher": assignments, no pages
    # Where its SDCCHs are: "sdcch4" on a combined timeslot 0 (CCCH_CONF 1), "sdcch8" on timeslot
    # ``sdcch8_timeslot`` (CCCH_CONF 0); None: as CCCH_CONF says.
    dedicated: Dedicated | None = None
    sdcch8_timeslot: int = 1
    # A real cell's own dedicated traffic (assignments, then ciphering); a fake station's work on phones
    traffic: RealTrafficSpec | None = None
    works: WorkSpec | None = None
    fake: bool = False  # ground truth, for evaluation
    behaviours: tuple[str, ...] = ()  # ground truth: which fake behaviours it shows

    @property
    def dedicated_channels(self) -> str:
        """``dedicated``, or what CCCH_CONF implies: "sdcch4" when combined, else "sdcch8"."""
        return self.dedicated or ("sdcch4" if self.params.ccch_conf == 1 else "sdcch8")

    @property
    def sdcch8_timeslots(self) -> tuple[int, ...]:
        """The timeslots with SDCCH/8 + SACCH/C8 (C0Config.sdcch8_timeslots)."""
        return (self.sdcch8_timeslot,) if self.dedicated_channels == "sdcch8" else ()


@dataclass(frozen=True, slots=True)
class FakeSpec:
    """A fake station: ``imitate`` names a real cell whose operator it pretends to be."""

    imitate: str
    behaviours: tuple[str, ...]
    arfcn: int = bounded(min=0, max=1023)
    name: str = ""
    band: str | None = None
    bsic: int | None = bounded(None, min=0, max=63)
    power_dbfs: float | None = bounded(None, max=10.0)
    tx_power_dbm: float | None = bounded(None, min=-30.0, max=70.0)
    position: tuple[float, float] | None = None
    cfo_ppm: float | None = bounded(None, min=-50.0, max=50.0, doc="default: from behaviours")
    drift_ppm_per_min: float = bounded(0.0, min=0.0, max=10.0, doc="its free-running crystal's random walk")
    on_s: float = bounded(0.0, min=0.0)
    off_s: float | None = bounded(None, min=0.0)
    dedicated: Dedicated | None = None  # as CellSpec
    sdcch8_timeslot: int = 1
    works: WorkSpec | None = None  # what it does to the phones it lures (sim.fake_traffic)
    params: dict[str, object] = field(default_factory=dict)  # CellParams overrides after the behaviours


@dataclass(frozen=True, slots=True)
class RouteSpec:
    points: list[tuple[float, float]]  # (lat_deg, lon_deg) waypoints, driven in order
    speed_m_s: float = bounded(10.0, min=0.1, max=70.0)


@dataclass(frozen=True, slots=True)
class EvaluationSpec:
    """For labelled scenes (``fbs-sensor evaluate``): what the area baseline knows beforehand."""

    description: str = ""
    baseline: bool = True  # the baseline knows the scene's real cells (never its fake stations)
    not_in_baseline: tuple[str, ...] = ()  # names of real cells it does not know (a newly built cell)


@dataclass(frozen=True, slots=True)
class Scene:
    receiver: ReceiverSpec
    cells: list[CellSpec] = field(default_factory=list)
    fakes: list[FakeSpec] = field(default_factory=list)
    seed: int = 0
    duration_s: float = bounded(1.0, min=0.001, max=86400.0)
    route: RouteSpec | None = None
    propagation: PathLossModel = field(default_factory=PathLossModel)
    name: str = ""
    evaluation: EvaluationSpec = field(default_factory=EvaluationSpec)
