"""Sessions, phones and SMS through the whole receiver against the simulator's truth, over Es/N0.

    python bench/bench_sessions.py [--es-n0 4,6,8,10,14,20] [--configs sdcch4,sdcch8]
        [--rates 2.4e6,10e6] [--motions parked,drive,drive-tu] [--seconds 150] [--ciphering 8,20] [--keep DIR]

Each point: the street scene of that channel configuration (``fake-street-sdcch4``/``-sdcch8``)
lengthened to ``--seconds``, parked (the receiver at the scene's first route point, not moving),
driving (circles of ``DRIVE_RADIUS_M`` around the fake station at ``DRIVE_SPEED_M_S``: shadowing
changes along the way), or ``drive-tu``: that drive with the fake's signal through GSM's TU6
Rayleigh-faded multipath (``sensor.sim.propagation``, Doppler from the speed: 32 Hz at ARFCN 64;
the stated Es/N0 is then the local mean's, the fades go 10-20 dB under it); the noise is set so
that the fake has the stated Es/N0 (per 270.833 ksym/s, the ADC's noise counted:
``sensor.sim.levels``) at its weakest, rendered to SigMF at the rate (centred on ARFCN 62), then
``fbs-sensor replay --json`` as a subprocess and its output compared with the truth in the
recording's metadata (``fbs:scene``).

Compared (``tests/sessions/against_truth.py``) over the sessions assigned from 2 s on whose truth
ends inside the recording (and ours assigned in the same span): sessions, distinct phones (keyed
hashes against the truth's phones), SMS; ``exact``: the truth's SMS reported in their session with the
same sender and text;
``garbled``: SMS reported with a text or sender the truth does not have and not marked partial
(must be 0); ``partial``: SMS reported with parts missing (parts/of); ``in_part``: our sessions
not complete (``sessions_in_part``); ``false``: sessions of ours no truth session explains;
``wrong``: sessions reported complete whose identity requests, result, cause or SMS count differ
from the truth. ``ok`` is the acceptance of issue 22 at Es/N0 ≥ 8 dB: sessions, phones and SMS
within 2 %, every SMS exact, nothing garbled, false or wrong; below 8 dB: nothing garbled, false
or wrong, and every session missing from the count stated as seen in part.

``--ciphering``: the ``fake-among-ciphering`` scene at those Es/N0 of the fake, parked at the first
rate: the real cells' sessions must carry no SMS and nothing read from what ciphering protects
(0 ``readable`` sessions: none with an SMS, an identity request, a reject cause or an LU result);
``phones``: distinct keyed hashes of the TMSIs their first messages carry in the clear (the UA's
echo, sent before any ciphering in every GSM network: shown, not a failure); ``unflagged``
counts those whose truth ciphered inside the recording that we report without ``ciphered`` (cut
short before the command, nothing read: allowed, shown).

Prints one JSON line per point (with ``in_part_at``: our sessions seen in part, [t_s, tn, sub];
``ciphered_at``: the fake's sessions we judged ciphered (it never ciphers);
``partial_sms_at``: [session t_s, parts, of] of SMS with parts missing) and a table at the end. The
recordings are deleted after each point (150 s of cu8 at 10 Msps is 3 GB) unless ``--keep DIR``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sensor.gsm.tdma import FRAME_DURATION_S
from sensor.sim import levels
from sensor.sim.output import write_sigmf
from sensor.sim.route import offset_position
from sensor.sim.scene import load_scene
from sensor.sim.specs import Scene
from tests.sessions.against_truth import END_MARGIN_S, compare, match, span, truth_of

SCENES = ROOT / "recordings" / "scenes"
CENTER_HZ = 947.4e6  # ARFCN 62: the fake (64) and the real cells (60, 66) in the passband
FAKE = "FAKE-street"
REAL = ("CM-Nanjing", "CM-Renmin")
DRIVE_RADIUS_M = 120.0
DRIVE_SPEED_M_S = 10.0
DRIVE_POINTS_PER_LAP = 24
DRIVE_GAIN_DB = 10.0
MOTIONS = ("parked", "drive", "drive-tu")


def drive_route(scene: Scene, seconds: float) -> list[tuple[float, float]]:
    """Laps of a circle around the fake station, enough for ``seconds``."""
    fake = next(c for c in scene.cells if c.name == FAKE)
    assert fake.position is not None
    lap_m = 2 * math.pi * DRIVE_RADIUS_M
    laps = math.ceil(seconds * DRIVE_SPEED_M_S / lap_m) + 1
    pts = []
    for i in range(laps * DRIVE_POINTS_PER_LAP + 1):
        a = 2 * math.pi * i / DRIVE_POINTS_PER_LAP
        pts.append(offset_position(*fake.position, DRIVE_RADIUS_M * math.cos(a), DRIVE_RADIUS_M * math.sin(a)))
    return pts


def point_scene(name: str, *, motion: str, seconds: float, es_n0: float, rate_hz: float) -> Scene:
    scene = load_scene(SCENES / f"{name}.toml")
    assert scene.route is not None
    if motion not in MOTIONS:
        raise SystemExit(f"--motions: {motion!r} is not one of {', '.join(MOTIONS)}")
    if motion == "parked":
        route = dataclasses.replace(scene.route, points=scene.route.points[:1])
    else:
        route = dataclasses.replace(scene.route, points=drive_route(scene, seconds), speed_m_s=DRIVE_SPEED_M_S)
        # the circle's weakest point is ~12 dB above the cu8 ADC's own noise: more tuner gain, as an operator would
        gain = dataclasses.replace(scene.receiver, full_scale_dbm=scene.receiver.full_scale_dbm - DRIVE_GAIN_DB)
        scene = dataclasses.replace(scene, receiver=gain)
    if motion == "drive-tu":  # the fake's signal through TU6 Rayleigh fading, Doppler of the car's speed
        cells = [dataclasses.replace(c, multipath="tu") if c.name == FAKE else c for c in scene.cells]
        scene = dataclasses.replace(scene, cells=cells)
    scene = dataclasses.replace(scene, duration_s=seconds, route=route)
    return levels.with_es_n0(scene, FAKE, es_n0, sample_rate_hz=rate_hz)


def replay(meta: Path, key: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FBS_SENSOR_IDENTITY_KEY": str(key)}
    r = subprocess.run(
        [sys.executable, "-m", "sensor.cli", "replay", "--json", str(meta)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if r.returncode != 0:
        raise RuntimeError(f"replay failed: {r.stderr.strip()[-400:]}")
    return [json.loads(line) for line in r.stdout.splitlines()]


def verdict(row: dict[str, Any]) -> bool:
    clean = row["garbled"] == 0 and row["false"] == 0 and row["wrong"] == 0
    if row["es_n0_db"] < 8:
        return clean and row["in_part"] >= row["missed"]
    within = all(abs(row[k][0] - row[k][1]) <= 0.02 * row[k][1] for k in ("sessions", "phones", "sms"))
    return clean and within and row["exact"] == row["sms"][1]


def ciphering(meta: Path, objs: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    keys = ("real_sessions", "readable", "sms", "phones", "ciphered", "ciphered_truth", "unflagged")
    out: dict[str, Any] = dict.fromkeys(keys, 0)
    for name in REAL:
        truth = truth_of(meta, name)
        arfcn = truth["arfcn"]
        ours = [o for o in objs if o["type"] == "session" and o["arfcn"] == arfcn]
        out["real_sessions"] += len(ours)
        out["sms"] += sum(m["type"] == "sms" and m["arfcn"] == arfcn for m in objs)
        out["ciphered"] += sum(o["ciphered"] for o in ours)
        for o in ours:  # anything read from what a real network's ciphering protects
            read = o["identity_requests"] or o["cause"] is not None or o["sms"]
            out["readable"] += bool(read or o["result"] in ("lu_reject", "lu_accept"))
        # the TMSI of the phone's first message, echoed in the UA before any ciphering (TS 44.006 §5.4.1.4)
        out["phones"] += len({o["phone"] for o in ours if o["phone"] is not None})
        for t in truth["sessions"]:
            if t.get("hopping") or t.get("ciphering_fn") is None:
                continue
            if t["t_s"] + (t["ciphering_fn"] - t["assignment_fn"]) * FRAME_DURATION_S >= seconds - END_MARGIN_S:
                continue
            out["ciphered_truth"] += 1
            o = match([x for x in ours if x["followed"]], t)
            out["unflagged"] += int(o is not None and not o["ciphered"])  # reported, not judged ciphered
    return out


def run_point(
    tmp: Path, name: str, *, motion: str, seconds: float, es_n0: float, rate_hz: float, keep: Path | None = None
) -> dict[str, Any]:
    scene = point_scene(name, motion=motion, seconds=seconds, es_n0=es_n0, rate_hz=rate_hz)
    es = levels.es_n0_db(scene, FAKE, levels.scene_times(scene), rate_hz)
    work = Path(tempfile.mkdtemp(dir=tmp))
    try:
        t0 = time.perf_counter()
        write_sigmf(scene, work / "rec", center_hz=CENTER_HZ, sample_rate_hz=rate_hz, overwrite=True)
        t1 = time.perf_counter()
        meta = work / "rec.sigmf-meta"
        objs = replay(meta, work / "identity.key")
        t2 = time.perf_counter()
        fake = truth_of(meta, FAKE)
        row = {
            "scene": name,
            "rate_hz": rate_hz,
            "motion": motion,
            "es_n0_db": es_n0,
            "es_n0_median_db": round(float(levels.np.nanmedian(es)), 1),
            "es_n0_max_db": round(float(levels.np.nanmax(es)), 1),
            "seconds": seconds,
            **compare(objs, fake, arfcn=fake["arfcn"], seconds=seconds),
        }
        cell = next((o for o in objs if o["type"] == "cell" and o["arfcn"] == fake["arfcn"]), None)
        row["snr_db_reported"] = None if cell is None else cell.get("snr_db")
        act = None if cell is None else cell.get("activity")
        row["activity_in_part"] = None if not act else act["sessions_in_part"]
        # where the losses are: our sessions in part (t_s, sub-channel) and SMS with parts missing
        lo, hi = span(fake, seconds)
        mine = [o for o in objs if o["type"] == "session" and o["arfcn"] == fake["arfcn"] and lo <= o["t_s"] < hi]
        row["in_part_at"] = [
            [o["t_s"], o["tn"], o["sub"]] for o in mine if o["followed"] and not o["ciphered"] and not o["complete"]
        ]
        row["ciphered_at"] = [[o["t_s"], o["tn"], o["sub"]] for o in mine if o["ciphered"]]  # the fake never ciphers
        ids = {o["id"]: o["t_s"] for o in mine}
        row["partial_sms_at"] = [
            [ids[m["session"]], m["parts"], m["of"]]
            for m in objs
            if m["type"] == "sms" and m["session"] in ids and m["of"] is not None and len(m["parts"]) < m["of"]
        ]
        if name == "fake-among-ciphering":
            row["ciphering"] = ciphering(meta, objs, seconds)
        row["ok"] = verdict(row) and ("ciphering" not in row or _ciphering_ok(row["ciphering"]))
        row["simulate_s"], row["replay_s"] = round(t1 - t0, 1), round(t2 - t1, 1)
        return row
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:  # kept for a look at the blocks (replay --blocks)
            keep.mkdir(parents=True, exist_ok=True)
            dest = keep / f"{name}_{motion}_{es_n0:g}dB_{rate_hz / 1e6:g}M"
            shutil.rmtree(dest, ignore_errors=True)
            shutil.move(str(work), dest)


def _ciphering_ok(c: dict[str, Any]) -> bool:
    return c["sms"] == 0 and c["readable"] == 0


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'scene':<22}{'rate':>6} {'motion':<9}{'Es/N0':>6}{'med':>6}{'secs':>5} {'sessions':>9} {'phones':>9}"
        f" {'sms':>9}{'exact':>6}{'part':>5}{'garb':>5}{'inpart':>7}{'false':>6}{'wrong':>6}{'snr':>6}"
        f"{'sim s':>7}{'rep s':>7}  ok"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['scene']:<22}{r['rate_hz'] / 1e6:>5.1f}M {r['motion']:<9}"
            f"{r['es_n0_db']:>6.1f}{r['es_n0_median_db']:>6.1f}{r['seconds']:>5.0f} "
            f"{r['sessions'][0]:>4}/{r['sessions'][1]:<4}{r['phones'][0]:>4}/{r['phones'][1]:<4}{r['sms'][0]:>4}/{r['sms'][1]:<4}"
            f"{r['exact']:>6}{r['partial']:>5}{r['garbled']:>5}{r['in_part']:>7}{r['false']:>6}{r['wrong']:>6}"
            f"{r['snr_db_reported'] if r['snr_db_reported'] is not None else '-':>6}"
            f"{r['simulate_s']:>7.0f}{r['replay_s']:>7.0f}  {'yes' if r['ok'] else 'NO'}"
            + (f"  ciphering {r['ciphering']}" if "ciphering" in r else "")
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--es-n0", default="4,6,8,10,14,20")
    ap.add_argument("--configs", default="sdcch4,sdcch8")
    ap.add_argument("--rates", default="2.4e6,10e6")
    ap.add_argument("--motions", default="parked,drive")
    ap.add_argument("--seconds", type=float, default=150.0)
    ap.add_argument("--ciphering", default="8,20", help="Es/N0 of the fake in the ciphering scene ('' for none)")
    ap.add_argument("--tmp", default=None, help="where the recordings go meanwhile")
    ap.add_argument("--keep", default=None, help="keep each point's recording in this directory")
    args = ap.parse_args()
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="bench_sessions_"))
    tmp.mkdir(parents=True, exist_ok=True)
    rows = []
    rates = [float(r) for r in args.rates.split(",") if r]
    points = [
        (f"fake-street-{config}", motion, float(es), rate)
        for rate in rates
        for config in args.configs.split(",")
        if config
        for motion in args.motions.split(",")
        if motion
        for es in args.es_n0.split(",")
        if es
    ]
    points += [("fake-among-ciphering", "parked", float(es), rates[0]) for es in args.ciphering.split(",") if es]
    for name, motion, es, rate in points:
        keep = None if args.keep is None else Path(args.keep)
        row = run_point(tmp, name, motion=motion, seconds=args.seconds, es_n0=es, rate_hz=rate, keep=keep)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print(table(rows), flush=True)


if __name__ == "__main__":
    main()
