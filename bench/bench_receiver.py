"""Receiver against gr-gsm, measured in the same run on the same simulated files.

    python bench/bench_receiver.py sensitivity [--seconds 2] [--snrs 0,1,2,3,4,5,6,8,10]
    python bench/bench_receiver.py speed [--seconds 4]

sensitivity: one GSM900 cell at 1 Msps in AWGN (SNR per 270.833 kHz), decoded by our receiver
(unaided) and by gr-gsm's grgsm_decode (given the carrier frequency, as it needs); prints the share
of the cell's BCCH/CCCH blocks each decodes correctly, and the SNR at which each reaches 95 %.
speed: a 10-cell 2.4 Msps recording decoded by our stream receiver as replay runs it (× real time,
one core, after a warm-up; with and without carrying carriers from window to window) and by gr-gsm
(grgsm_channelize, then grgsm_decode per channel); a 60-cell 20 Msps stream; a 1 Msps
single-channel file decoded by ours and by grgsm_decode (wall time of each).
Ours runs pinned to one CPU (``timing.one_core``: its threads too, e.g. a BLAS pool); gr-gsm, a
GNU Radio flowgraph of many threads, runs unpinned. Prints JSON lines. gr-gsm figures are skipped
(null) where it is not installed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.timing import best_of, one_core
from sensor import fastpath
from sensor.gsm import tdma
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.receiver.stream import StreamReceiver
from sensor.receiver.wideband import receive_wideband
from sensor.sim.c0 import C0Config, sent_blocks
from sensor.sim.output import write_cfile
from sensor.sim.render import SceneRenderer
from sensor.sources.open import open_recording
from tests import grgsm
from tests.sim.scenes import cell_toml, scene_from, scene_toml


def expected_blocks(cell, duration_s):
    return sent_blocks(
        C0Config.from_params(cell.bsic, cell.params), cell.start_fn, int(duration_s / tdma.FRAME_DURATION_S) - 1
    )


def share(decoded: dict[int, bytes], want: dict[int, bytes]) -> float:
    return sum(1 for fn, o in decoded.items() if want.get(fn) == o) / len(want)


def sensitivity(seconds: float, snrs: list[float]) -> None:
    tmp = Path(tempfile.mkdtemp())
    rows = []
    for snr in snrs:
        text = scene_toml(
            947.4e6,
            1e6,
            [cell_toml("a", 62, 21, power_dbfs=-20.0, neighbours=(60, 64), extra="start_fn = 4000\n")],
            duration_s=seconds,
            noise_dbfs=-20.0 - snr,
            seed=int(snr * 10) + 1,
        )
        scene = scene_from(tmp, text, f"s{snr}")
        cfile = tmp / f"s{snr}.cfile"
        write_cfile(scene, cfile)
        want = expected_blocks(scene.cells[0], seconds)
        x = np.fromfile(cfile, np.complex64)
        results, _ = receive_wideband(x, sample_rate_hz=1e6, center_hz=947.4e6)
        ours = {b.fn: b.octets for r in results for b in r.result.blocks if b.crc_ok}
        theirs = None
        if grgsm.available():
            theirs = dict(grgsm.decode(cfile, sample_rate_hz=1e6, fc_hz=947.4e6, tmp_dir=tmp))
        row = {
            "snr_db": snr,
            "blocks": len(want),
            "ours": round(share(ours, want), 3),
            "grgsm": None if theirs is None else round(share(theirs, want), 3),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)

    def at95(key: str) -> float | None:
        ok = [r["snr_db"] for r in rows if r[key] is not None and r[key] >= 0.95]
        return min(ok) if ok else None

    print(json.dumps({"snr_db_for_95pct": {"ours": at95("ours"), "grgsm": at95("grgsm")}}))


def _stream_rate(blocks_of, seconds: float, repeat: int = 3, **kw) -> dict:
    """Wall time of the stream receiver (as replay runs it) over the IQ blocks of ``blocks_of``
    (the fastest of ``repeat`` runs, each with a fresh receiver: the least disturbed by other
    load); also that run's first window's wall time (acquisition: everything searched, nothing
    known) and its rate from the end of the first window to the end (steady state, periodic
    searches included)."""
    best = None
    for _ in range(repeat):
        marks: list[tuple[float, float]] = []  # (wall clock, signal time at the window's end)
        rx = StreamReceiver(on_window=lambda a, b, marks=marks: marks.append((time.perf_counter(), b)), **kw)
        t0 = time.perf_counter()
        n = sum(1 for _ in rx.process(blocks_of()))
        wall = time.perf_counter() - t0
        if best is None or wall < best[0]:
            best = (wall, t0, n, rx, marks)
    wall, t0, n, rx, marks = best
    row = {
        "blocks": n,
        "wall_s": round(wall, 2),
        "x_realtime": round(seconds / wall, 2),
        "best_of": repeat,
        "windows": rx.stats.windows,
        "searched": rx.stats.searches,
    }
    if len(marks) > 2:
        (t1, e1), (tn, en) = marks[0], marks[-1]
        row["first_window_wall_s"] = round(t1 - t0, 2)
        row["after_first_x_realtime"] = round((en - e1) / (tn - t1), 2)
    return row


def _in_memory(scene, seconds: float, block_s: float = 0.1):
    """The scene rendered once, as the blocks a source would deliver."""
    blocks = list(
        SceneRenderer(scene).blocks(duration_s=seconds, block_samples=int(block_s * scene.receiver.sample_rate_hz))
    )
    return lambda: iter(blocks)


def speed(seconds: float) -> None:
    tmp = Path(tempfile.mkdtemp())
    print(json.dumps({"compiled_fast_path": fastpath.enabled()}), flush=True)
    arfcns = [57, 58, 59, 60, 61, 62, 63, 64, 65, 66]
    cells = [
        cell_toml(
            f"c{a}", a, (7 * i + 3) % 64, power_dbfs=-22.0 - 1.5 * i, cell_id=100 + i, extra=f"start_fn = {i * 999}\n"
        )
        for i, a in enumerate(arfcns)
    ]
    scene = scene_from(
        tmp,
        scene_toml(947.4e6, 2.4e6, cells, duration_s=seconds, noise_dbfs=-60.0, receiver_extra="ppm = 20.0\n"),
        "wide",
    )
    wide = tmp / "wide.cfile"
    write_cfile(scene, wide)

    def src():
        return open_recording(wide, fmt="cf32", sample_rate_hz=2.4e6, center_hz=947.4e6).blocks(block_samples=1 << 19)

    # Warm-up (compiled kernels loaded from numba's cache, FFT plans made, buffers faulted in): a
    # one-time cost per process (~0.5 s), measured on its own.
    t0 = time.perf_counter()
    sum(
        1
        for _ in StreamReceiver().process(
            open_recording(wide, fmt="cf32", sample_rate_hz=2.4e6, center_hz=947.4e6).blocks(
                block_samples=1 << 19, max_samples=int(1.2 * 2.4e6)
            )
        )
    )
    print(
        json.dumps(
            {
                "case": "warm-up: 1.2 s of the 2.4 Msps file in a fresh process",
                "wall_s": round(time.perf_counter() - t0, 2),
            }
        )
    )
    with one_core() as cpu:
        row = _stream_rate(src, seconds)
    print(
        json.dumps(
            {"case": "2.4 Msps, 10 cells, stream receiver (replay), one core", "seconds": seconds, "cpu": cpu, **row}
        ),
        flush=True,
    )
    with one_core():
        row = _stream_rate(src, seconds, track=False)
    print(
        json.dumps({"case": "the same, every window searched afresh (no tracking)", "seconds": seconds, **row}),
        flush=True,
    )
    if grgsm.available():  # gr-gsm on all ten: grgsm_channelize, then grgsm_decode channel by channel
        t0 = time.perf_counter()
        files = grgsm.channelize(
            wide, sample_rate_hz=2.4e6, fc_hz=947.4e6, arfcns=arfcns, out_dir=tmp / "ch", out_rate_hz=800e3
        )  # it needs a whole decimation
        t_ch = time.perf_counter() - t0
        got = 0
        for a, f in files.items():
            got += len(
                grgsm.decode(f, sample_rate_hz=800e3, fc_hz=float(arfcn_to_downlink_hz(a)), tmp_dir=tmp, ppm=-20.0)
            )
        wall = time.perf_counter() - t0
        print(
            json.dumps(
                {
                    "case": "gr-gsm: grgsm_channelize + grgsm_decode per channel (told --ppm)",
                    "seconds": seconds,
                    "blocks": got,
                    "channelize_s": round(t_ch, 2),
                    "wall_s": round(wall, 2),
                    "x_realtime": round(seconds / wall, 2),
                }
            ),
            flush=True,
        )
    arfcns60 = sorted({int(round(a)) for a in np.linspace(21, 103, 60)})
    cells60 = [
        cell_toml(
            f"w{a}",
            a,
            (5 * i + 1) % 64,
            power_dbfs=-20.0 - (i * 7) % 11,
            cell_id=2000 + i,
            extra=f"start_fn = {i * 4321}\ntiming_symbols = {(i * 97) % 1250}.5\n",
        )
        for i, a in enumerate(arfcns60)
    ]
    s20 = min(seconds, 9.0)  # one periodic search (every 8 s) after the first window's
    hackrf = scene_from(
        tmp,
        scene_toml(
            947.4e6,
            20e6,
            cells60,
            duration_s=s20,
            noise_dbfs=-62.0,
            seed=60,
            receiver_extra='ppm = -25.0\ndatatype = "ci8"\n',
        ),
        "hackrf",
    )
    blocks20 = _in_memory(hackrf, s20)
    with one_core():
        row = _stream_rate(blocks20, s20)
    print(json.dumps({"case": "20 Msps, 60 cells, stream receiver, one core", "seconds": s20, **row}), flush=True)
    one = scene_from(
        tmp,
        scene_toml(947.4e6, 1e6, [cell_toml("a", 62, 21, power_dbfs=-20.0)], duration_s=seconds, noise_dbfs=-50.0),
        "one",
    )
    cfile = tmp / "one.cfile"
    write_cfile(one, cfile)
    y = np.fromfile(cfile, np.complex64)
    with one_core():
        ours = best_of(lambda: receive_wideband(y, sample_rate_hz=1e6, center_hz=947.4e6))
    theirs = None
    if grgsm.available():
        t0 = time.perf_counter()
        grgsm.decode(cfile, sample_rate_hz=1e6, fc_hz=947.4e6, tmp_dir=tmp)
        theirs = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "case": "1 Msps single channel",
                "seconds": seconds,
                "ours_wall_s": round(ours, 2),
                "grgsm_wall_s": None if theirs is None else round(theirs, 2),
                "speedup": None if theirs is None else round(theirs / ours, 2),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["sensitivity", "speed"])
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--snrs", default="0,1,2,3,4,5,6,7,8,10")
    a = ap.parse_args()
    if a.what == "sensitivity":
        sensitivity(a.seconds or 2.0, [float(s) for s in a.snrs.split(",")])
    else:
        speed(a.seconds or 4.0)


if __name__ == "__main__":
    main()
