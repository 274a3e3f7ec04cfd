"""A scanning session: the receiver opened with its calibration applied, the bands planned for it,
the scheduler, the GPS, and the judging of what a pass heard. ``fbs-sensor scan`` runs one pass of
it; the daemon (``fbs-sensor run``) runs it for ever.

Calibration: the receiver is opened, its identity read (serial, else source id), and when
``calibration/<identity>.toml`` exists it is reopened with that frequency correction; the plan's
ppm margin then shrinks from ±50 ppm to a few times the calibration's spread (fewer tunings), the
carrier-offset rule may use the calibrated receiver as its reference, and the power table turns
dBFS into dBm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.cells import CellObservation
from sensor.detect.baseline import Baseline
from sensor.detect.detector import Detector
from sensor.detect.judge import judge_cells
from sensor.errors import ConfigError
from sensor.gps.open import open_gps
from sensor.gps.source import PositionSource
from sensor.gsm.allocations import Allocations, load_allocations
from sensor.scan.bands import parse_arfcns, resolve_bands
from sensor.scan.calibration import Calibration, device_identity, find_calibration, load_nominal_power, rssi_dbm
from sensor.scan.gain import GainControl
from sensor.scan.plan import DEFAULT_PPM_UNCERTAINTY, ScanPlan, plan_scan
from sensor.scan.scheduler import DwellPolicy, Scanner, StakeoutPolicy, TuningVisit, check_watch
from sensor.sources.base import DeviceSource
from sensor.sources.devices import open_device, parse_device_spec, resolve_profile
from sensor.sources.profiles import ReceiverProfile

log = logging.getLogger(__name__)

CALIBRATED_MIN_PPM = 1.0  # the plan's margin after calibration: temperature drift of a dongle's crystal


@dataclass(slots=True)
class ScanSession:
    source: DeviceSource
    profile: ReceiverProfile
    plan: ScanPlan
    scanner: Scanner
    calibration: Calibration | None
    allocations: Allocations
    gps: PositionSource | None = None
    identity: str = ""
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.gps is not None:
            self.gps.stop()
        self.source.close()

    def judge(
        self,
        detector: Detector,
        visits: list[TuningVisit],
        *,
        baseline: Baseline | None = None,
        cells: list[CellObservation] | None = None,
        activity_of: Callable[[int, int | None], dict[str, Any] | None] | None = None,
    ) -> list[dict[str, Any]]:
        """Judged cell objects of what ``visits`` heard (by default every cell the scanner holds);
        ``activity_of(arfcn, bsic)``: what a carrier did on its dedicated channels (the causal rules)."""
        if cells is None:
            heard = {k for v in visits for k in v.cells}
            cells = [c for k, c in self.scanner.tracker.cells.items() if k in heard and c.blocks > c.blocks_failed]
        gain_of = {a: v.gain_db for v in visits for (a, _) in v.cells}
        power = (
            self.calibration.power
            if self.calibration is not None and self.calibration.power is not None
            else load_nominal_power(self.profile.tuner)
        )
        dbm = {c.key: rssi_dbm(c.rssi_dbfs.value, gain_of.get(c.arfcn), power) for c in cells}
        key_of = {(c.arfcn, c.bsic): c.key for c in cells}
        appeared = {
            key_of[k]: v.since_last_s for v in visits if v.since_last_s is not None for k in v.appeared if k in key_of
        }
        rate = self.plan.sample_rate_hz
        return judge_cells(
            sorted(cells, key=lambda c: (c.arfcn, -1 if c.bsic is None else c.bsic)),
            detector,
            baseline=baseline,
            allocations=self.allocations,
            receiver_ppm=None if self.calibration is None else 0.0,  # corrected: what is left is ~0
            tunings=[(v.center_hz, rate, v.started_s, v.started_s + v.dwell_s) for v in visits],
            rssi_dbm=dbm,
            appeared=appeared,
            activity=None if activity_of is None else {c.key: activity_of(c.arfcn, c.bsic) for c in cells},
        )


def check_watch_arfcns(
    device: str,
    *,
    profile: str | None = None,
    bands: str = "gsm900",
    arfcns: str | None = None,
    rate_hz: float | None = None,
    watch: Sequence[int] = (),
) -> None:
    """``--watch`` checked before anything is opened: each ARFCN must be one the plan for these
    options scans (``open_session`` checks again on the calibrated plan)."""
    if not watch:
        return
    prof = resolve_profile(parse_device_spec(device), profile)
    arfcn_list = parse_arfcns(arfcns) if arfcns else None
    check_watch(plan_scan(prof, resolve_bands(bands), arfcns=arfcn_list, sample_rate_hz=rate_hz), watch)


def open_session(
    device: str,
    *,
    profile: str | None = None,
    bands: str = "gsm900",
    arfcns: str | None = None,
    rate_hz: float | None = None,
    gain: float | str | None = None,
    goal: str = "quick",
    gps: str = "none",
    calibration_dir: str | Path | None = None,
    ppm: float | None = None,
    watch: Sequence[int] = (),
    stakeout: StakeoutPolicy | None = None,
) -> ScanSession:
    """Everything a scan needs, opened. ``gain`` None: automatic control between tunings (gain.py);
    a number: fixed; ``"auto"``: the tuner's own AGC. ``ppm``: a correction that overrides the
    calibration file. ``watch``: carriers the officer pinned (staked out whatever their verdict),
    checked against the plan before the receiver is opened."""
    prof = resolve_profile(parse_device_spec(device), profile)
    allocations = load_allocations()
    band_list = resolve_bands(bands, allocations=allocations)
    arfcn_list = parse_arfcns(arfcns) if arfcns else None
    first_plan = plan_scan(prof, band_list, arfcns=arfcn_list, sample_rate_hz=rate_hz)
    check_watch(first_plan, watch)
    source = open_device(
        device,
        profile=profile,
        center_hz=first_plan.tunings[0].center_hz,
        sample_rate_hz=first_plan.sample_rate_hz,
        gain_db=gain,
        ppm=0.0 if ppm is None else ppm,
    )
    identity = device_identity(source.info)
    notes: list[str] = []
    cal = None if ppm is not None else find_calibration(identity, directory=calibration_dir)
    margin = DEFAULT_PPM_UNCERTAINTY
    if ppm is not None:
        margin = CALIBRATED_MIN_PPM
        notes.append(f"frequency correction {ppm:+.2f} ppm (given)")
    elif cal is not None:
        source.close()
        source = open_device(
            device,
            profile=profile,
            center_hz=first_plan.tunings[0].center_hz,
            sample_rate_hz=first_plan.sample_rate_hz,
            gain_db=gain,
            ppm=cal.ppm,
        )
        margin = max(CALIBRATED_MIN_PPM, 3 * cal.spread_ppm)
        notes.append(f"calibration {cal.ppm:+.3f} ppm applied ({cal.measured_utc})")
    else:
        notes.append(f"no calibration for {identity}: planning for ±{margin:g} ppm (run `fbs-sensor calibrate`)")
    plan = plan_scan(prof, band_list, arfcns=arfcn_list, sample_rate_hz=rate_hz, ppm_uncertainty=margin)
    gc = GainControl(prof) if gain is None and prof.gain_limits_db() is not None else None
    try:
        position = open_gps(gps, source)
    except Exception:
        source.close()
        raise
    scanner = Scanner(
        source, plan, policy=DwellPolicy(goal=goal), gain=gc, gps=position, stakeout=stakeout or StakeoutPolicy()
    )
    try:
        for a in watch:
            scanner.watch(a)
    except ConfigError:
        scanner.source.close()
        if position is not None:
            position.stop()
        raise
    return ScanSession(source, prof, plan, scanner, cal, allocations, position, identity, notes)
