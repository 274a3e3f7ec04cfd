"""Campaigns recovered and evidence intervals through the whole receiver, over Es/N0.

    python bench/bench_campaigns.py [--es-n0 2,4,10] [--seconds 60] [--texts N]

Each point: ``recordings/scenes/fake-campaigns.toml`` (four campaigns, names, links, numbers,
amounts and QQ ids filled in per phone) lengthened to ``--seconds``, parked, the fake at the stated
Es/N0 (``sensor.sim.levels``), rendered at 1 Msps centred on the fake, replayed in process
(``fbs-sensor replay --json``) and compared with the truth in the recording's metadata
(``tests/intel/campaign_truth.py``): ``recovered`` campaigns (every whole text of it under one id no
other campaign's text has, with the truth's template; needs two texts of it decoded whole), the
truth's SMS and phones of the span against the evidence's stated intervals, ``inside`` both.
Prints one JSON line per point and a table. ``--texts N``: also N texts filled from the scene's
campaigns (no radio) grouped by one ``CampaignBook.assign`` call: campaigns found, the share of texts
in the campaign of their truth, texts per second (and the share of the time extraction takes), and
analysed ``sms`` objects (at most 5,000) filled per second with the ``findings`` they carry and
without (extraction run again), in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner

from sensor.cli import cli
from sensor.sim import levels
from sensor.sim.output import write_sigmf
from sensor.sim.scene import load_scene
from tests.intel.campaign_truth import campaigns_against_truth, evidence_against_truth
from tests.sessions.against_truth import truth_of

SCENE = ROOT / "recordings" / "scenes" / "fake-campaigns.toml"
FAKE, FAKE_HZ, RATE_HZ, ARFCN = "FAKE-street", 947.8e6, 1e6, 64


def point(es_n0: float, seconds: float) -> dict:
    scene = load_scene(SCENE)
    assert scene.route is not None
    parked = dataclasses.replace(scene.route, points=scene.route.points[:1])
    scene = levels.with_es_n0(
        dataclasses.replace(scene, duration_s=seconds, route=parked), FAKE, es_n0, sample_rate_hz=RATE_HZ
    )
    specs = next(c for c in scene.cells if c.name == FAKE).works.campaigns
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_sigmf(scene, Path(tmp) / "rec", center_hz=FAKE_HZ, sample_rate_hz=RATE_HZ)
        t1 = time.perf_counter()
        meta = Path(tmp) / "rec.sigmf-meta"
        r = CliRunner().invoke(cli, ["replay", "--json", str(meta)], env={"FBS_SENSOR_IDENTITY_KEY": f"{tmp}/key"})
        t2 = time.perf_counter()
        if r.exit_code != 0:
            raise SystemExit(r.output)
        objs = [json.loads(line) for line in r.stdout.splitlines()]
        truth = truth_of(meta, FAKE)
    rows = campaigns_against_truth(objs, truth, specs, arfcn=ARFCN)
    got = evidence_against_truth(objs, truth, arfcn=ARFCN, seconds=seconds)
    e = got["evidence"]
    return {
        "es_n0_db": es_n0,
        "seconds": seconds,
        "campaigns": len(rows),
        "recovered": sum(r["ok"] for r in rows),
        "not_recovered": {r["campaign"]: r["templates"] for r in rows if not r["ok"]},
        "sms_truth": got["truth_sms"],
        "sms_interval": e["sms"]["interval"],
        "phones_truth": got["truth_phones"],
        "phones_interval": e["phones"]["interval"],
        "sessions_in_part": e["sessions"]["in_part"],
        "sms_in_part": e["sms"]["in_part"],
        "missed_max": e["sessions"]["missed_max"],
        "ccch_loss": e["sessions"]["ccch_loss"],
        "inside": got["inside"],
        "sim_s": round(t1 - t0, 1),
        "replay_s": round(t2 - t1, 1),
    }


def grouping(n: int) -> dict:
    """``n`` texts of the scene's campaigns grouped in one batch."""
    import cProfile
    import pstats

    import numpy as np

    from sensor.intel.campaigns import CampaignBook
    from sensor.sim.campaigns import fill, pick

    specs = next(c for c in load_scene(SCENE).cells if c.name == FAKE).works.campaigns
    rng = np.random.default_rng(23)
    which = [pick(specs, rng) for _ in range(n)]
    texts = [fill(specs[k], rng) for k in which]
    book = CampaignBook()
    t0 = time.perf_counter()
    got = book.assign(texts, senders=[specs[k].sender for k in which])
    elapsed = time.perf_counter() - t0
    first = {}
    right = sum(first.setdefault(k, c.id) == c.id for k, c in zip(which, got, strict=True))
    prof = cProfile.Profile()
    prof.enable()
    CampaignBook().assign(texts[: min(n, 2000)], senders=[specs[k].sender for k in which[: min(n, 2000)]])
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    extract_s = next((v[3] for k, v in st.stats.items() if k[2] == "extract" and k[0].endswith("extract.py")), 0.0)
    # what replay, the daemon and the collector do: analysed objects, their findings reused (or not)
    from sensor.intel import enrich_sms

    m = min(n, 5000)
    objs = [enrich_sms({"text": t, "sender": specs[k].sender, "sender_type": "national", "parts": None, "of": None})
            for t, k in zip(texts[:m], which[:m], strict=True)]  # fmt: skip
    t0 = time.perf_counter()
    CampaignBook().fill(objs)
    with_findings = time.perf_counter() - t0
    for o in objs:
        del o["findings"]
    t0 = time.perf_counter()
    CampaignBook().fill(objs)
    without = time.perf_counter() - t0
    return {
        "analysed_objects": m,
        "objects_per_s_with_findings": round(m / with_findings),
        "objects_per_s_without": round(m / without),
        "texts": n,
        "campaigns": len(book.campaigns),
        "truth_campaigns": len(set(which)),
        "in_their_campaign": round(right / n, 4),
        "templates": [c.template for c in book.campaigns],
        "texts_per_s": round(n / elapsed),
        "extract_share": round(extract_s / total, 3) if total else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--es-n0", default="2,4,10", help="Es/N0 of the fake, dB, comma-separated")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--texts", type=int, default=0, help="also group this many filled texts (no radio)")
    args = ap.parse_args()
    if args.texts:
        print(json.dumps(grouping(args.texts), ensure_ascii=False), flush=True)
    rows = []
    for es in (float(x) for x in args.es_n0.split(",") if x):
        row = point(es, args.seconds)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    print(f"{'Es/N0':>6} {'secs':>5} {'recovered':>9} {'sms truth':>9} {'interval':>10} {'phones':>6} "
          f"{'interval':>10} {'in part':>7} {'missed≤':>7} {'inside':>6}")  # fmt: skip
    for r in rows:
        sms, ph = r["sms_interval"], r["phones_interval"]
        print(f"{r['es_n0_db']:6.1f} {r['seconds']:5.0f} {r['recovered']:>5}/{r['campaigns']:<3} {r['sms_truth']:9d} "
              f"{f'[{sms[0]}, {sms[1]}]':>10} {r['phones_truth']:6d} {f'[{ph[0]}, {ph[1]}]':>10} "
              f"{r['sessions_in_part']:7d} {r['missed_max']:7d} {'yes' if r['inside'] else 'NO':>6}")  # fmt: skip


if __name__ == "__main__":
    main()
