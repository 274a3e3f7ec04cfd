"""A fake station working a phone a second: how fast the simulator renders it, whole processes, one core.

    python bench/bench_fake_scene.py [--seconds 600] [--command-seconds 60]

For each bundled fake-street scene (SDCCH/4 on a combined timeslot 0, SDCCH/8 on timeslot 1; 2.4 Msps
RTL-SDR receiver, three cells, a phone a second, SMS campaigns) it times, pinned to one CPU:

* the render: a child Python process that loads the scene, schedules every phone's session and renders
  ``--seconds`` of IQ exactly as ``fbs-sensor simulate`` does, discarding the samples (600 s of cu8 would
  be 2.9 GB on disk); start-up and the schedule included;
* the command: ``fbs-sensor simulate SCENE --duration --command-seconds --out DIR`` as a user runs it,
  writing the SigMF recording.

Prints one JSON line per measurement: seconds of scene per second of wall time (× real time), the
sessions, SMS and blocks the truth lists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENES = ("fake-street-sdcch4", "fake-street-sdcch8")
CHILD = """
import json, sys, time
t0 = time.perf_counter()
from sensor.sim.render import SceneRenderer
from sensor.sim.scene import load_scene
scene = load_scene(sys.argv[1])
seconds = float(sys.argv[2])
import dataclasses
scene = dataclasses.replace(scene, duration_s=seconds)
r = SceneRenderer(scene)
n = 0
for block in r.blocks(duration_s=seconds):
    n += len(block)
truth = r.scene_traffic.truth["FAKE-street"]
print(json.dumps({"samples": n, "sessions": len(truth["sessions"]), "sms": len(truth["sms"]),
                  "rejects": len(truth["assignment_rejects"]), "blocks": sum(len(t) for t in r.traffic.values()),
                  "in_process_s": time.perf_counter() - t0}))
"""


def pinned(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


def render(scene: str, seconds: float) -> dict:
    path = REPO / "recordings" / "scenes" / f"{scene}.toml"
    t0 = time.perf_counter()
    out = subprocess.run(pinned([sys.executable, "-c", CHILD, str(path), str(seconds)]), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    facts = json.loads(out.stdout.strip().splitlines()[-1])
    facts.pop("in_process_s")
    return {"what": "render", "scene": scene, "seconds": seconds, "wall_s": round(wall, 2),
            "x_real_time": round(seconds / wall, 2), **facts}  # fmt: skip


def command(scene: str, seconds: float) -> dict:
    path = REPO / "recordings" / "scenes" / f"{scene}.toml"
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["fbs-sensor", "simulate", str(path), "--duration", str(seconds), "--out", tmp]
        t0 = time.perf_counter()
        out = subprocess.run(pinned(cmd), capture_output=True, text=True, env={**os.environ})
        wall = time.perf_counter() - t0
        if out.returncode:
            raise SystemExit(out.stderr[-2000:])
        size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    return {"what": "fbs-sensor simulate", "scene": scene, "seconds": seconds, "wall_s": round(wall, 2),
            "x_real_time": round(seconds / wall, 2), "bytes_written": size}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--command-seconds", type=float, default=60.0)
    args = ap.parse_args()
    for scene in SCENES:
        print(json.dumps(render(scene, args.seconds)), flush=True)
        print(json.dumps(command(scene, args.command_seconds)), flush=True)


if __name__ == "__main__":
    main()
