"""Following fake stations' dedicated channels: whole-process replay speed at 2.4 Msps, one core.

    python bench/bench_follow.py [--seconds 20] [--repeat 3]

The scene: the fake-street street (a 2.4 Msps cu8 RTL-SDR, two real cells) with TWO fake stations,
each on SDCCH/8 working a phone a second (IMSI and IMEI asked, an SMS pushed, LU rejected), so the
receiver follows up to 16 sub-channels on two carriers besides the BCCH/CCCH of all four; and the
same scene with the fakes idle (no phones), as the reference. Each is rendered once with
``fbs-sensor simulate``, then ``fbs-sensor replay --json`` runs --repeat times as a whole process
pinned to one CPU (start-up included). Prints one JSON line per scene: the median wall time,
× real time, the sessions and SMS the replay reported, and the cost of following.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "recordings" / "scenes" / "fake-street-sdcch8.toml"
SECOND_FAKE = """
[[fakes]]
name = "FAKE-two"
imitate = "CM-Renmin"
arfcn = 58
bsic = 21
tx_power_dbm = 27.0
position = [31.2301, 121.4731]
behaviours = ["lac_unlike_surroundings", "high_cro"]
dedicated = "sdcch8"
[fakes.params]
ccch_conf = 0
"""


def scenes(tmp: Path) -> dict[str, Path]:
    """The two-fake scene (its second fake copies the first's work) and the same with idle fakes."""
    text = BASE.read_text()
    works = text[text.index("[fakes.works.phones]") :]
    with_work = tmp / "two-fakes.toml"
    with_work.write_text(text + SECOND_FAKE + works)
    idle = tmp / "two-fakes-idle.toml"
    idle.write_text(text[: text.index("[fakes.works.phones]")] + SECOND_FAKE)
    return {"following two fakes": with_work, "fakes idle": idle}


def pinned(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


def measure(scene: Path, seconds: float, repeat: int, tmp: Path) -> dict:
    out = tmp / scene.stem
    subprocess.run(
        ["fbs-sensor", "simulate", str(scene), "--out", str(out), "--duration", str(seconds), "--overwrite"],
        check=True,
        capture_output=True,
    )
    (meta,) = out.glob("*.sigmf-meta")
    walls, last = [], ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run(pinned(["fbs-sensor", "replay", "--json", str(meta)]), capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        if p.returncode:
            raise SystemExit(p.stderr[-2000:])
        last = p.stdout
    objs = [json.loads(line) for line in last.splitlines() if line.strip()]
    summary = objs[-1]
    wall = statistics.median(walls)
    return {
        "scene": scene.stem,
        "seconds": seconds,
        "wall_s_median": round(wall, 2),
        "wall_s_all": [round(w, 2) for w in walls],
        "x_real_time": round(seconds / wall, 2),
        "sessions": summary.get("sessions"),
        "sms": summary.get("sms"),
        "blocks": summary.get("blocks"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        results = {name: measure(path, args.seconds, args.repeat, tmp) for name, path in scenes(tmp).items()}
    for name, r in results.items():
        print(json.dumps({"case": name, **r}), flush=True)
    a, b = results["following two fakes"], results["fakes idle"]
    print(json.dumps({"following_cost": round(a["wall_s_median"] / b["wall_s_median"], 3)}))


if __name__ == "__main__":
    main()
