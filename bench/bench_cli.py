"""Whole processes, as a user starts them: ``fbs-sensor replay --json`` against gr-gsm's own
processes on the same recordings, and ``fbs-sensor --help`` against ``import numpy, click``.

    python bench/bench_cli.py [--repeat 5] [--hackrf-seconds 10] [--work DIR] [--grgsm-hackrf]
                              [--no-first-run] [--no-grgsm]

The recordings are rendered by the project's simulator (``fbs-sensor simulate``, fixed seeds) into
``--work`` (default: a folder under the system's temporary folder, reused when its files exist):

  single   20 s, one cell, 1.0833 Msps, cf32 ``.cfile`` as gr-gsm reads it;
  rtlsdr   10 s, 8 cells, 2.4 Msps ``cu8`` SigMF as an RTL-SDR writes it (receiver error 10 ppm);
  hackrf   ``--hackrf-seconds`` (default 10) s, 60 cells, 20 Msps ``ci8`` SigMF as a HackRF writes it.

Every figure is the median of ``--repeat`` cold processes (a new interpreter each: warm page cache,
numba's on-disk cache already populated, the package's bytecode compiled), ours and gr-gsm's
interleaved (A, B, A, B) in the same run. gr-gsm: ``grgsm_decode -m BCCH -t 0`` (Debian's, with
DESIGN.md's one-line import fix, see tests/grgsm.py) on the single channel; on a wideband file
``grgsm_channelize`` (which reads signed bytes as ``-t ichar``: the cu8 file is given to it with its
sign bit flipped, the same samples, made before timing) and then one ``grgsm_decode`` per cell's
channel, one after another, told the receiver's ppm; its time is the sum of those processes. On the
hackrf file gr-gsm runs only with ``--grgsm-hackrf`` (61 processes a repeat).

Correctness in the same run: every cell's identity (MCC, MNC, LAC, CI) and an SI3 against the scene's
truth, no other cell reported, and the blocks decoded against gr-gsm's count. Unless
``--no-first-run``, this checkout's compiled twins (``sensor.fastpath``: the ahead-of-time
extensions and numba's cache) are removed once before the repeats and the first-ever replay of the
rtlsdr file is timed on its own (the twins built and stored).

Prints one JSON object per measurement, a table of the figures and then the issue's acceptance
table (each criterion's target, what was measured by wall and by CPU time, met or not; the band-edge
test run by pytest unless ``--no-edge-test``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensor.gsm.bands import arfcn_to_downlink_hz
from tests import grgsm
from tests.sim.scenes import cell_toml, scene_toml

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SENSOR = [sys.executable, "-m", "sensor.cli"]
GSM900_C = 947.4e6  # ARFCN 62

SINGLE_RATE_HZ = 13e6 / 12  # 1.0833 Msps: 4 samples a symbol
RTL_PPM = 10.0
HACKRF_PPM = -12.0


def _cells_single() -> list[tuple[str, dict]]:
    truth = {"arfcn": 62, "bsic": 21, "mcc": "460", "mnc": "00", "lac": 4321, "cell_id": 1001}
    return [(cell_toml("a", 62, 21, power_dbfs=-20.0), truth)]


def _cell(name: str, arfcn: int, bsic: int, power_dbfs: float, mnc: str, lac: int, cell_id: int, extra: str):
    """One cell's scene TOML and its truth."""
    t = {"arfcn": arfcn, "bsic": bsic, "mcc": "460", "mnc": mnc, "lac": lac, "cell_id": cell_id}
    text = cell_toml(
        name,
        arfcn,
        bsic,
        power_dbfs=power_dbfs,
        mnc=mnc,
        lac=lac,
        cell_id=cell_id,
        extra=extra,
    )
    return text, t


def _cells_rtlsdr() -> list[tuple[str, dict]]:
    arfcns = [58, 59, 60, 61, 63, 64, 65, 66]  # ±0.8 MHz; the tuning's centre (62) is empty
    return [
        _cell(
            f"c{a}",
            a,
            (7 * i + 3) % 64,
            -18.0 - 2.0 * i,
            f"{i % 3:02d}",
            4100 + i % 3,
            300 + i,
            f"start_fn = {i * 999}\n",
        )
        for i, a in enumerate(arfcns)
    ]


def _cells_hackrf() -> list[tuple[str, dict]]:
    arfcns = sorted({int(round(a)) for a in np.linspace(21, 103, 60)})  # 943.2-959.6 MHz inside ±8.2 MHz
    return [
        _cell(
            f"w{a}",
            a,
            (5 * i + 1) % 64,
            -14.0 - (i * 7) % 11,
            f"{i % 4:02d}",
            5000 + i % 7,
            2000 + i,
            f"start_fn = {i * 4321}\ntiming_symbols = {(i * 97) % 1250}.5\n",
        )
        for i, a in enumerate(arfcns)
    ]


CASES = {
    # name: (cells, rate, seconds, noise dBFS, receiver extra, datatype, ppm)
    "single": (_cells_single, SINGLE_RATE_HZ, 20.0, -50.0, "", "cf32", 0.0),
    "rtlsdr": (_cells_rtlsdr, 2.4e6, 10.0, -45.0, f"ppm = {RTL_PPM}\n", "cu8", RTL_PPM),
    "hackrf": (_cells_hackrf, 20e6, 10.0, -50.0, f"ppm = {HACKRF_PPM}\n", "ci8", HACKRF_PPM),
}


class Recording:
    def __init__(self, name: str, work: Path, seconds: float):
        cells, self.rate_hz, _, noise, extra, self.datatype, self.ppm = CASES[name]
        self.name, self.seconds = name, seconds
        self.cells = cells()
        self.truth = [t for _, t in self.cells]
        text = scene_toml(
            GSM900_C,
            self.rate_hz,
            [c for c, _ in self.cells],
            duration_s=seconds,
            noise_dbfs=noise,
            seed=24,
            receiver_extra=extra,
        )
        self.dir = work / f"{name}-{seconds:g}s"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.scene = self.dir / f"{name}.toml"
        if self.datatype == "cf32":
            self.path = self.dir / f"{name}.cfile"
            self.replay_args = ["--format", "cf32", "--rate", repr(self.rate_hz), "--center", repr(GSM900_C)]
        else:
            self.path = self.dir / f"{name}.sigmf-meta"
            self.replay_args = []
        stale = not self.scene.exists() or self.scene.read_text() != text
        if stale or not self.path.exists():
            self.scene.write_text(text)
            fmt = ["--format", "cfile"] if self.datatype == "cf32" else ["--datatype", self.datatype]
            t0 = time.perf_counter()
            subprocess.run(
                SENSOR + ["simulate", str(self.scene), "--out", str(self.dir), "--overwrite"] + fmt,
                env=ENV,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            print(json.dumps({"rendered": str(self.path), "s": round(time.perf_counter() - t0, 1)}), flush=True)

    def grgsm_input(self) -> tuple[Path, str]:
        """The file grgsm_channelize reads and its ``-t`` type (the same samples)."""
        if self.datatype == "cf32":
            return self.path, "complex"
        data = self.dir / f"{self.name}.sigmf-data"
        if self.datatype == "ci8":
            return data, "ichar"
        signed = self.dir / f"{self.name}.ci8"
        if not signed.exists() or signed.stat().st_mtime < data.stat().st_mtime:
            (np.fromfile(data, np.uint8) ^ np.uint8(0x80)).tofile(signed)  # cu8 → ci8: x − 128
        return signed, "ichar"


def timed(cmd: list[str], env: dict | None = None, **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU (user + sys of the child and its children) seconds of one whole process."""
    before = os.times()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, **kw)
    wall = time.perf_counter() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, p


def ours(rec: Recording, root: Path = ROOT) -> tuple[float, float, dict]:
    """``fbs-sensor replay --json`` of ``rec`` by the checkout at ``root``: wall, CPU, checks."""
    env = {**os.environ, "PYTHONPATH": str(root)}  # and run from there: ``python -m`` puts the cwd first
    wall, cpu, p = timed(SENSOR + ["replay", "--json", *rec.replay_args, str(rec.path)], env=env, cwd=root)
    if p.returncode != 0:
        raise SystemExit(f"replay of {rec.path} failed: {p.stderr[-2000:]}")
    return wall, cpu, check(rec, [json.loads(line) for line in p.stdout.splitlines()])


def check(rec: Recording, objs: list[dict]) -> dict:
    cells = {(o["arfcn"], o["bsic"]): o for o in objs if o["type"] == "cell"}
    summary = next(o for o in objs if o["type"] == "summary")
    right = 0
    for t in rec.truth:
        c = cells.get((t["arfcn"], t["bsic"]))
        if c and "3" in c["si"] and all(c[k] == t[k] for k in ("mcc", "mnc", "lac", "cell_id")):
            right += 1
    return {"si3_right": right, "cells": len(rec.truth), "extra_cells": len(cells) - right, "blocks": summary["blocks"]}


def theirs(rec: Recording, tmp: Path) -> tuple[float, float, int]:
    """gr-gsm's whole processes on ``rec``: wall, CPU and blocks, summed over its processes."""
    patched = grgsm.patched_decode(tmp)
    src, kind = rec.grgsm_input()
    wall = cpu = 0.0
    if len(rec.truth) == 1 and rec.datatype == "cf32":
        channels = {rec.truth[0]["arfcn"]: (src, rec.rate_hz, GSM900_C)}
    else:
        out = tmp / f"ch-{rec.name}"
        out.mkdir(exist_ok=True)
        for f in out.glob("*.cfile"):
            f.unlink()
        arfcns = [t["arfcn"] for t in rec.truth]
        cmd = [grgsm.SYSTEM_PYTHON, grgsm.GRGSM_CHANNELIZE, "-s", repr(rec.rate_hz), "-f", repr(GSM900_C)]
        out_rate_hz = rec.rate_hz / int(rec.rate_hz // 800e3)  # it needs a whole decimation: 800 kHz
        cmd += ["-o", repr(out_rate_hz), "-t", kind, "-i", str(src), "-d", str(out)] + [str(a) for a in arfcns]
        w, c, p = timed(cmd)
        if p.returncode != 0:
            raise SystemExit(f"grgsm_channelize failed: {p.stderr[-2000:]}")
        wall, cpu = wall + w, cpu + c
        channels = {a: (out / f"out_{a}.cfile", out_rate_hz, float(arfcn_to_downlink_hz(a))) for a in arfcns}
    blocks = 0
    for f, rate, fc in channels.values():
        cmd = [grgsm.SYSTEM_PYTHON, str(patched), "-c", str(f), "-s", repr(rate), "-f", repr(fc)]
        cmd += ["-m", "BCCH", "-t", "0", "-v"]
        if rec.ppm:
            cmd += ["--ppm", repr(-rec.ppm)]
        w, c, p = timed(grgsm._namespaced(cmd))
        wall, cpu = wall + w, cpu + c
        blocks += sum(1 for line in p.stdout.splitlines() if grgsm._LINE_RE.match(line.strip()))
    return wall, cpu, blocks


def edge_tests() -> dict:
    """The issue's edge-of-band acceptance test (``tests/receiver/test_band_edges.py``): cells at the
    recorded band's edges at 2.4, 10 and 20 Msps, found and decoded. Passed and failed counts."""
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/receiver/test_band_edges.py"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    tail = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-200:]
    counts = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|error)", tail)}
    return {
        "passed": counts.get("passed", 0),
        "failed": counts.get("failed", 0) + counts.get("error", 0),
        "ok": p.returncode == 0,
    }


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("yes" if ok else "**no**")


def acceptance(rows: list[dict], edges: dict | None) -> list[str]:
    """The issue's acceptance criteria, each with its target, what this run measured and whether it
    is met: by wall time (what a user waits) and by CPU time (the same on a core of its own)."""
    by = {r["case"]: r for r in rows}
    out = []
    h = next((r for r in rows if "seconds" not in r), None)
    if h is not None:
        out.append(
            f"| `fbs-sensor --help` ÷ `python -c 'import numpy, click'` | ≤ 2 × | {h['ratio']:.2f} × "
            f"| {_met(h['ratio'] <= 2)} |"
        )
    if (r := by.get("single")) is not None:
        ok_si3 = r["si3_right"] == r["cells"] and not r["extra_cells"]
        out.append(
            f"| single channel: SI3 right | all | {r['si3_right']}/{r['cells']} (+{r['extra_cells']}) "
            f"| {_met(ok_si3)} |"
        )
        if r["speedup"] is not None:
            cpu_speedup = r["grgsm_cpu_s"] / r["ours_cpu_s"]
            out.append(
                f"| single channel ({r['seconds']:g} s): grgsm_decode ÷ ours | ≥ 3 × | {r['speedup']:.2f} ×; "
                f"{cpu_speedup:.2f} × | {_met(r['speedup'] >= 3)} / {_met(cpu_speedup >= 3)} |"
            )
        out.append(
            f"| single channel ({r['seconds']:g} s): whole process | ≤ 1.0 s | {r['ours_s']:.2f} s; "
            f"{r['ours_cpu_s']:.2f} s "
            f"| {_met(r['ours_s'] <= 1.0)} / {_met(r['ours_cpu_s'] <= 1.0)} |"
        )
    for name, target in (("rtlsdr", 10.0), ("hackrf", 1.5)):
        if (r := by.get(name)) is None:
            continue
        ok_si3 = r["si3_right"] == r["cells"] and not r["extra_cells"]
        label = f"{r['seconds']:g} s {r['rate_hz'] / 1e6:.4g} Msps {r['datatype']}, {r['cells']} cells"
        out.append(
            f"| {label}: SI3 right | all | {r['si3_right']}/{r['cells']} (+{r['extra_cells']}) | {_met(ok_si3)} |"
        )
        out.append(
            f"| {label}: × real time | ≥ {target:g} × (≤ {r['seconds'] / target:.2f} s) | {r['x_realtime']:.2f} ×; "
            f"{r['x_realtime_cpu']:.2f} × | {_met(r['x_realtime'] >= target)} / {_met(r['x_realtime_cpu'] >= target)} |"
        )
    if edges is not None:
        out.append(
            f"| edge-of-band test (`tests/receiver/test_band_edges.py`) | passes | {edges['passed']} passed, "
            f"{edges['failed']} failed | {_met(edges['ok'])} |"
        )
    return out


def _compiled_cache_files() -> list[Path]:
    """numba's on-disk cache and the ahead-of-time twins' extensions of this checkout."""
    return [
        p
        for p in (ROOT / "sensor").rglob("__pycache__/*")
        if p.suffix in (".nbi", ".nbc") or p.name.startswith("fbs_aot_")
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="Cold processes per figure (median).")
    ap.add_argument("--hackrf-seconds", type=float, default=10.0)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fbs-bench-cli")
    ap.add_argument("--cases", default="single,rtlsdr,hackrf")
    ap.add_argument("--grgsm-hackrf", action="store_true", help="Also run gr-gsm on the 60-cell file.")
    ap.add_argument("--no-grgsm", action="store_true")
    ap.add_argument(
        "--reference", type=Path, help="Another checkout (e.g. the commit before a change) replayed alternately."
    )
    ap.add_argument("--no-first-run", dest="first_run", action="store_false")
    ap.add_argument("--no-edge-test", dest="edge_test", action="store_false", help="Skip the band-edge tests.")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    a.work.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="grgsm-", dir=a.work))
    # What an installed package has: its bytecode compiled (this machine may set PYTHONDONTWRITEBYTECODE).
    for root in (ROOT, a.reference) if a.reference else (ROOT,):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "sensor")], check=True)
    names = a.cases.split(",")
    recs = {n: Recording(n, a.work, a.hackrf_seconds if n == "hackrf" else CASES[n][2]) for n in names}
    use_grgsm = grgsm.available() and not a.no_grgsm
    start_load = os.getloadavg()
    print(json.dumps({"load_average": start_load, "cpus": os.cpu_count(), "repeat": a.repeat}), flush=True)

    if a.first_run and "rtlsdr" in recs:
        for p in _compiled_cache_files():
            p.unlink()
        wall, _, ok = ours(recs["rtlsdr"])
        print(json.dumps({"case": "first-ever replay (the compiled twins built)", "wall_s": round(wall, 2), **ok}))

    rows: list[dict] = []
    # start-up, interleaved
    help_w, base_w = [], []
    for _ in range(max(a.repeat, 5)):
        help_w.append(timed(SENSOR + ["--help"])[0])
        base_w.append(timed([sys.executable, "-c", "import numpy, click"])[0])
    rows.append(
        {
            "case": "fbs-sensor --help vs python -c 'import numpy, click'",
            "ours_s": statistics.median(help_w),
            "ref_s": statistics.median(base_w),
            "ratio": statistics.median(help_w) / statistics.median(base_w),
        }
    )
    print(json.dumps(rows[-1]), flush=True)

    for name, rec in recs.items():
        ow, oc, tw, tc, rw, rc = [], [], [], [], [], []
        ok = ref_blocks = ref_ok = None
        grgsm_here = use_grgsm and (name != "hackrf" or a.grgsm_hackrf)
        for _ in range(a.repeat):
            w, c, ok = ours(rec)
            ow.append(w)
            oc.append(c)
            if a.reference:
                w, c, ref_ok = ours(rec, a.reference)
                rw.append(w)
                rc.append(c)
            if grgsm_here:
                w, c, ref_blocks = theirs(rec, tmp)
                tw.append(w)
                tc.append(c)
        row = {
            "case": name,
            "seconds": rec.seconds,
            "rate_hz": rec.rate_hz,
            "datatype": rec.datatype,
            "ours_s": statistics.median(ow),
            "ours_range_s": [round(min(ow), 2), round(max(ow), 2)],
            "ours_cpu_s": statistics.median(oc),
            "x_realtime": rec.seconds / statistics.median(ow),
            "x_realtime_cpu": rec.seconds / statistics.median(oc),
            **ok,
            "grgsm_s": statistics.median(tw) if tw else None,
            "grgsm_cpu_s": statistics.median(tc) if tc else None,
            "grgsm_blocks": ref_blocks,
            "speedup": statistics.median(tw) / statistics.median(ow) if tw else None,
        }
        if a.reference:
            row["reference"] = {
                "wall_s": round(statistics.median(rw), 3),
                "cpu_s": round(statistics.median(rc), 3),
                "si3_right": ref_ok["si3_right"],
                "blocks": ref_ok["blocks"],
            }
        rows.append({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})
        print(json.dumps(rows[-1]), flush=True)

    edges = edge_tests() if a.edge_test else None
    print(json.dumps({"load_average_end": os.getloadavg(), "edge_tests": edges}))
    print()
    print(
        "| case | ours wall (median) | CPU | × real time (wall / CPU) | gr-gsm wall | CPU | gr-gsm ÷ ours "
        "| SI3 right | blocks ours / gr-gsm |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "seconds" not in r:
            print(f"| {r['case']} | {r['ours_s']:.3f} s | | | {r['ref_s']:.3f} s | | {1 / r['ratio']:.2f} | | |")
            continue
        g = r["grgsm_s"]
        ref = ("-", "-", "-") if g is None else (f"{g:.2f} s", f"{r['grgsm_cpu_s']:.2f} s", f"{r['speedup']:.2f}")
        print(
            f"| {r['case']} ({r['seconds']:g} s, {r['rate_hz'] / 1e6:.4g} Msps {r['datatype']}) | {r['ours_s']:.2f} s "
            f"| {r['ours_cpu_s']:.2f} s | {r['x_realtime']:.2f} / {r['x_realtime_cpu']:.2f} "
            f"| {ref[0]} | {ref[1]} | {ref[2]} | {r['si3_right']}/{r['cells']} (+{r['extra_cells']}) "
            f"| {r['blocks']} / {'-' if r['grgsm_blocks'] is None else r['grgsm_blocks']} |"
        )
    for r in rows:
        if "reference" in r:
            ref = r["reference"]
            print(
                f"reference checkout, {r['case']}: {ref['wall_s']:.2f} s wall, {ref['cpu_s']:.2f} s CPU "
                f"(this one ÷ it: {r['ours_s'] / ref['wall_s']:.2f} wall, {r['ours_cpu_s'] / ref['cpu_s']:.2f} CPU), "
                f"SI3 right {ref['si3_right']}, blocks {ref['blocks']}"
            )
    print()
    print(f"Acceptance (issue 24), load average {start_load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end:")
    print()
    print("| criterion | target | measured (wall; CPU) | met (wall / CPU) |")
    print("|---|---|---|---|")
    for line in acceptance(rows, edges):
        print(line)


if __name__ == "__main__":
    main()
