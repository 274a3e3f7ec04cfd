"""The dedicated traffic of a whole scene: for every fake station that works phones
(``CellSpec.works``) its phones, sessions and SMS, and for every real cell with ``traffic`` its
ciphered sessions, each as the ``Traffic`` its carrier sends and the truth the recording carries.

Deterministic: each cell draws from its own generator, spawned from the scene's seed, so a scene
renders the same conversations every time and adding a cell does not change another's. A fake's
phones are lured by the geometry when the scene gives positions and transmit powers (the fake's and
the real cells'), else all follow (``lure_share`` overrides both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sensor.l3.ie import LocationAreaIdentification
from sensor.sim.allocation import Layout, Schedule
from sensor.sim.fake_traffic import schedule_fake, truth_of
from sensor.sim.phones import LureGeometry, arrivals
from sensor.sim.real_traffic import schedule_real
from sensor.sim.specs import CellSpec, Scene
from sensor.sim.traffic import Traffic

# An extra word in the seed sequence, so the traffic's draws are independent of the renderer's
TRAFFIC_SEED_WORD = 0x7A5C


@dataclass(slots=True)
class SceneTraffic:
    traffic: dict[str, Traffic] = field(default_factory=dict)  # cell name → its scheduled blocks
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)  # cell name → sessions, sms, rejects


def c2_offset_db(cell: CellSpec) -> float:
    """What CELL_RESELECT_OFFSET adds to the cell's C2 (TS 45.008 §6.4; PENALTY_TIME 31 subtracts it)."""
    cro = cell.params.cro_db or 0
    return -float(cro) if cell.params.penalty_time_s is None and cell.params.cro_db is not None else float(cro)


def lure_geometry(fake: CellSpec, scene: Scene) -> LureGeometry | None:
    """The geometry that decides which phones follow ``fake``, when the scene has the numbers for it."""
    if fake.position is None or fake.tx_power_dbm is None:
        return None
    real = tuple(
        (c.position, float(c.tx_power_dbm), c2_offset_db(c))
        for c in scene.cells
        if not c.fake and c.position is not None and c.tx_power_dbm is not None
    )
    return LureGeometry(
        fake_position=fake.position,
        fake_tx_dbm=float(fake.tx_power_dbm),
        fake_c2_offset_db=c2_offset_db(fake),
        real=real,
        hysteresis_db=float(fake.params.cell_reselect_hysteresis_db),
        model=scene.propagation,
    )


def layout_of(cell: CellSpec) -> Layout:
    combined = cell.dedicated_channels == "sdcch4"
    return Layout(combined, 0 if combined else cell.sdcch8_timeslot, cell.arfcn, cell.bsic & 7)


def _on_span(cell: CellSpec, scene: Scene) -> tuple[float, float]:
    end = scene.duration_s if cell.off_s is None else min(cell.off_s, scene.duration_s)
    return cell.on_s, max(0.0, end - cell.on_s)


def scene_traffic(scene: Scene) -> SceneTraffic:
    out = SceneTraffic()
    seeds = np.random.SeedSequence([scene.seed, TRAFFIC_SEED_WORD]).spawn(len(scene.cells))
    for cell, seed in zip(scene.cells, seeds, strict=True):
        if cell.works is None and cell.traffic is None:
            continue
        rng = np.random.default_rng(seed)
        start_s, span_s = _on_span(cell, scene)
        schedule = Schedule()
        if cell.works is not None:
            ph = cell.works.phones
            phones = arrivals(
                rate_per_s=ph.rate_per_s, duration_s=span_s, start_s=start_s, rng=rng,
                mcc=ph.home_mcc or cell.params.mcc, mnc=ph.home_mnc or cell.params.mnc, tmsi_share=ph.tmsi_share,
                neci=bool(cell.params.neci), reach_m=ph.reach_m, lure_share=ph.lure_share,
                geometry=lure_geometry(cell, scene),
            )  # fmt: skip
            home = LocationAreaIdentification(
                ph.home_mcc or cell.params.mcc, ph.home_mnc or cell.params.mnc, ph.home_lac or cell.params.lac
            )
            schedule = schedule_fake(
                phones, spec=cell.works, cell=cell.params, layout=layout_of(cell), home=home,
                start_fn=cell.start_fn, rng=rng,
            )  # fmt: skip
        elif cell.traffic is not None:
            schedule = schedule_real(
                spec=cell.traffic, cell=cell.params, layout=layout_of(cell), duration_s=span_s,
                start_fn=cell.start_fn, rng=rng,
            )  # fmt: skip
        out.traffic[cell.name] = schedule.traffic()
        out.truth[cell.name] = truth_of(schedule)
    return out


def truth_window(truth: dict[str, Any], start_s: float, duration_s: float) -> dict[str, Any]:
    """The sessions assigned within scene time ``start_s`` .. ``start_s + duration_s`` and their SMS."""
    sessions = [s for s in truth["sessions"] if "t_s" in s and start_s <= s["t_s"] < start_s + duration_s]
    kept = {s["session"] for s in sessions}
    return {
        "sessions": sessions,
        "sms": [m for m in truth["sms"] if m["session"] in kept],
        "assignment_rejects": truth["assignment_rejects"],
    }
