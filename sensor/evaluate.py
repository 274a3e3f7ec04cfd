"""The evaluation harness: labelled scenes through the whole pipeline, verdicts against the truth.

Each scene (``recordings/scenes/eval/``) is rendered by the simulator's virtual receiver and
streamed through the same receiver, cell tracker and detector as a live sensor; its cells carry
the truth (``fake`` and the behaviours of each fake station). The area baseline is built from the
scene's real cells before the drive (``[evaluation]`` says which ones it does not know), as a
previous drive through the area would have built it. Results: per scene and cell, per rule
(how often it fires on fake and on legitimate cells) and overall precision, recall and
false-alarm rate with a confusion table. A cell of the scene that was not decoded counts as
missed for a fake station; a decoded cell that is not in the scene is a phantom.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.detect.baseline import Baseline
from sensor.detect.detector import Detector
from sensor.detect.judge import judge_cells
from sensor.gsm.allocations import load_allocations
from sensor.l3 import keys
from sensor.replay import Replayer
from sensor.sessions.pseudonym import KEY_OCTETS, Pseudonymizer
from sensor.sim.scene import load_scene
from sensor.sim.specs import CellSpec, Scene
from sensor.sources.profiles import load_profile

EVAL_EPOCH_UTC_S = 1_790_000_000.0  # scenes start at a fixed UTC time: runs are repeatable
VERDICT_COLUMNS = ("normal", "suspicious", "fake", "not heard")
# Which rule each simulated fake behaviour should trigger (for per-rule recall).
BEHAVIOUR_RULE = {
    "lac_unlike_surroundings": "lac_isolated",
    "empty_neighbours": "few_neighbours",
    "bogus_neighbours": "neighbours_unheard",
    "high_cro": "reselection_bait",
    "low_t3212": "short_t3212",
    "no_gprs": "missing_gprs",
    "cloned_identity": "cloned_identity",
    "off_plan_arfcn": "off_plan_arfcn",
    "large_cfo": "carrier_offset",
    "high_power": "operator_inconsistent",
    "transient": "transient",
    "assignments_without_paging": "paging_behaviour",
}


@dataclass(frozen=True, slots=True)
class CellOutcome:
    scene: str
    name: str  # the scene's cell name, or "phantom"
    arfcn: int
    bsic: int | None
    fake: bool
    behaviours: tuple[str, ...]
    verdict: str  # normal / suspicious / fake / not heard
    score: float | None
    reasons: tuple[dict[str, Any], ...] = ()

    @property
    def alarm(self) -> bool:
        return self.verdict in ("suspicious", "fake")

    @property
    def rules(self) -> set[str]:
        return {r["rule"] for r in self.reasons}


@dataclass(slots=True)
class Report:
    outcomes: list[CellOutcome] = field(default_factory=list)

    def _count(self, pred: Callable[[CellOutcome], bool]) -> int:
        return sum(1 for o in self.outcomes if pred(o))

    @property
    def true_positives(self) -> int:
        return self._count(lambda o: o.fake and o.alarm)

    @property
    def false_negatives(self) -> int:
        return self._count(lambda o: o.fake and not o.alarm)

    @property
    def false_positives(self) -> int:
        return self._count(lambda o: not o.fake and o.alarm)

    @property
    def legitimate(self) -> int:
        return self._count(lambda o: not o.fake and o.verdict != "not heard")

    @property
    def recall(self) -> float | None:
        n = self.true_positives + self.false_negatives
        return None if n == 0 else self.true_positives / n

    @property
    def precision(self) -> float | None:
        n = self.true_positives + self.false_positives
        return None if n == 0 else self.true_positives / n

    @property
    def false_alarm_rate(self) -> float | None:
        return None if self.legitimate == 0 else self.false_positives / self.legitimate

    def confusion(self) -> dict[str, dict[str, int]]:
        out = {truth: dict.fromkeys(VERDICT_COLUMNS, 0) for truth in ("fake", "legitimate")}
        for o in self.outcomes:
            out["fake" if o.fake else "legitimate"][o.verdict] += 1
        return out

    def per_rule(self, rule_ids: Sequence[str]) -> list[dict[str, Any]]:
        heard = [o for o in self.outcomes if o.verdict != "not heard"]
        fakes = [o for o in heard if o.fake]
        legit = [o for o in heard if not o.fake]
        rows = []
        for rid in rule_ids:
            on_fake = sum(1 for o in fakes if rid in o.rules)
            on_legit = sum(1 for o in legit if rid in o.rules)
            targeted = [o for o in fakes if any(BEHAVIOUR_RULE.get(b) == rid for b in o.behaviours)]
            rows.append(
                {
                    "rule": rid,
                    "fires_on_fake": on_fake,
                    "fires_on_legitimate": on_legit,
                    "precision": None if on_fake + on_legit == 0 else on_fake / (on_fake + on_legit),
                    "recall": None if not fakes else on_fake / len(fakes),
                    "targeted_fakes": len(targeted),
                    "targeted_recall": None
                    if not targeted
                    else sum(1 for o in targeted if rid in o.rules) / len(targeted),
                    "false_alarm_rate": None if not legit else on_legit / len(legit),
                }
            )
        return rows

    def summary(self) -> dict[str, Any]:
        return {
            "type": "evaluation",
            "schema": 1,
            "scenes": len({o.scene for o in self.outcomes}),
            "fake_cells": self.true_positives + self.false_negatives,
            "legitimate_cells": self.legitimate,
            "true_positives": self.true_positives,
            "false_negatives": self.false_negatives,
            "false_positives": self.false_positives,
            "precision": self.precision,
            "recall": self.recall,
            "false_alarm_rate": self.false_alarm_rate,
            "confusion": self.confusion(),
        }


def _profile_for(scene: Scene) -> str:
    return "rtlsdr-r820t" if scene.receiver.sample_rate_hz <= 3.2e6 else "hackrf-one"


def _baseline_for(scene: Scene, baseline: Baseline) -> None:
    """What an earlier drive through the area would have learned: the real cells, along the route."""
    if not scene.evaluation.baseline or scene.route is None:
        return
    for c in scene.cells:
        if c.fake or c.name in scene.evaluation.not_in_baseline:
            continue
        p = c.params
        obj = {
            "mcc": p.mcc,
            "mnc": p.mnc,
            "lac": p.lac,
            "cell_id": p.cell_id,
            "arfcn": c.arfcn,
            "bsic": c.bsic,
            "params": {keys.T3212_MIN: p.t3212_min, keys.CRO_DB: p.cro_db},
            "rssi_dbm": None,
            "rssi_dbfs": None,
        }
        for lat, lon in scene.route.points:
            baseline.learn(obj, {"lat_deg": lat, "lon_deg": lon}, EVAL_EPOCH_UTC_S - 86400.0)


def run_scene(path: str | Path, rules_table: dict[str, Any] | None = None) -> list[CellOutcome]:
    """One labelled scene through the whole pipeline (a plain function: it runs in worker processes)."""
    from sensor.sim.radio import SimGps, SimSource

    scene = load_scene(path)
    detector = Detector.from_config(rules_table)
    r = scene.receiver
    sim = SimSource(
        path,
        profile=load_profile(_profile_for(scene)),
        center_hz=r.center_hz,
        sample_rate_hz=r.sample_rate_hz,
        start_utc_s=EVAL_EPOCH_UTC_S,
    )
    sim.open()
    gps = SimGps(sim).start()
    try:
        # phone sessions too (the causal rules read them); a throwaway key: no identity leaves here
        replayer = Replayer(pseudonymizer=Pseudonymizer(os.urandom(KEY_OCTETS)))
        replayer.feed(sim, duration_s=scene.duration_s, gps=gps)
    finally:
        gps.stop()
        sim.close()
    with Baseline(":memory:") as baseline:
        _baseline_for(scene, baseline)
        cells = [c for c in replayer.tracker.cells.values() if c.blocks > c.blocks_failed]
        objects = judge_cells(
            cells,
            detector,
            baseline=baseline,
            allocations=load_allocations(),
            tunings=[(r.center_hz, r.sample_rate_hz, 0.0, scene.duration_s)],
            activity=_activity(replayer, cells),
        )
    return _match(scene, objects)


def _activity(replayer: Replayer, cells: list[Any]) -> dict[str, dict[str, Any] | None]:
    sessions = replayer.sessions
    return {} if sessions is None else {c.key: sessions.activity(c.arfcn, c.bsic) for c in cells}


def _match(scene: Scene, objects: list[dict[str, Any]]) -> list[CellOutcome]:
    truth: dict[tuple[int, int], CellSpec] = {(c.arfcn, c.bsic): c for c in scene.cells}
    out: list[CellOutcome] = []
    seen = set()
    for o in objects:
        spec = truth.get((o["arfcn"], o["bsic"]))
        if spec is not None:
            seen.add((spec.arfcn, spec.bsic))
        out.append(
            CellOutcome(
                scene.name,
                spec.name if spec else "phantom",
                o["arfcn"],
                o["bsic"],
                bool(spec and spec.fake),
                spec.behaviours if spec else (),
                o["verdict"],
                o["score"],
                tuple(o["reasons"]),
            )
        )
    for key, spec in truth.items():
        if key not in seen:
            out.append(
                CellOutcome(scene.name, spec.name, spec.arfcn, spec.bsic, spec.fake, spec.behaviours, "not heard", None)
            )
    return out


def evaluate(
    paths: Sequence[str | Path],
    rules_table: dict[str, Any] | None = None,
    *,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> Report:
    report = Report()
    if jobs <= 1:
        results = (run_scene(p, rules_table) for p in paths)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(run_scene, paths, [rules_table] * len(paths))
    try:
        for path, res in zip(paths, results, strict=True):
            report.outcomes.extend(res)
            if progress is not None:
                progress(str(path))
    finally:
        if jobs > 1:
            pool.shutdown(cancel_futures=True)
    return report


def outcome_object(o: CellOutcome) -> dict[str, Any]:
    d = dataclasses.asdict(o)
    d["reasons"] = list(o.reasons)
    d["behaviours"] = list(o.behaviours)
    return {"type": "evaluation_cell", "schema": 1, **d}
