"""What a transmitter's card costs to carry its campaigns and evidence (``collector/dashboard_table.py``):
the table's builds on a store with many SMS.

    python bench/bench_cards.py [--rows 20000] [--sms 10000] [--campaigns 50] [--repeat 3]

The store (SQLite, in a temporary directory) holds --rows readings of ``bench_dashboard``'s afternoon
(300 transmitters, 5 flagged) and, pushed by the flagged ones, --sms SMS in --campaigns campaigns (each
campaign one text with a link and a varying number), each SMS in a session of its own. Timed, each
--repeat times (median and worst): the table's first build; a build after one new reading (campaigns
and evidence cached: the stored sessions and SMS did not change); a build after one new SMS (both read
again: ``Store.campaigns`` and ``Store.evidence``); one within ``INTEL_MIN_S`` of that (the last ones
shown: what a poll costs while SMS stream in); and those two calls alone. One JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_dashboard import Scene, _t
from sensor.collector.dashboard_table import TransmitterTable
from sensor.collector.sqlite_store import SqliteStore
from sensor.publish.envelope import make_envelope

HAN = [chr(0x4E00 + k * 37) for k in range(400)]  # CJK ideographs: each campaign its own random phrase


def emit(**fields: Any) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def phone_records(scene: Scene, n: int, campaigns: int, t0: float, start: int = 0) -> list[dict[str, Any]]:
    """``n`` sessions and their SMS, pushed by the flagged transmitters, in ``campaigns`` campaigns."""
    rng = random.Random(campaigns)
    phrases = ["".join(rng.choice(HAN) for _ in range(16)) for _ in range(campaigns)]
    out = []
    for i in range(start, start + n):
        ident = {**scene.idents[i % scene.suspects], "mcc": "460", "mnc": "00"}
        c = i % campaigns
        t_utc = _t(t0 + i * 0.5)
        sid = f"bench-{i}"
        out.append(make_envelope("session", {
            "type": "session", "schema": 1, "id": sid, **ident, "t_s": float(i), "end_t_s": i + 2.5,
            "channel": "SDCCH/8",
            "tn": 1, "sub": i % 8, "hopping": False, "procedure": "location_update", "identity_type": "tmsi",
            "identity_requests": ["imsi"], "auth": False, "result": "lu_reject", "cause": 13, "timing_advance": 2,
            "followed": True, "complete": True,
            "ciphered": False, "sms": 1, "phone": f"k1:{i:016x}", "t_utc": t_utc, "position": None,
            "identities": "keyed"}, sensor=f"car{i % 20}", seq=10_000_000 + 2 * i))  # fmt: skip
        text = f"【{phrases[c]}】编号 {i} 需核实，请登录 http://c{c}-pay.example/{i} 办理"
        out.append(make_envelope("sms", {
            "type": "sms", "schema": 1, **ident, "t_s": float(i), "session": sid, "phone": f"k1:{i:016x}",
            "sender": "95588", "sender_type": "national", "coding": "ucs2", "text": text, "parts": None, "of": None,
            "category": "phishing", "campaign": None, "flash": False, "silent": False, "urls": None, "domains": None,
            "numbers": None, "reasons": None, "sc_timestamp": None, "t_utc": t_utc, "position": None,
            "identities": "keyed"},
            sensor=f"car{i % 20}", seq=10_000_001 + 2 * i))  # fmt: skip
    return out


def seconds(f: Any, repeat: int) -> dict[str, float]:
    got = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        got.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(got), 3), "worst_s": round(max(got), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=lambda s: int(float(s)), default=20_000)
    ap.add_argument("--sms", type=lambda s: int(float(s)), default=10_000)
    ap.add_argument("--campaigns", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scene = Scene(300, 5)
    t0 = time.time() - 6 * 3600
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "cards.sqlite") as store:
        for done in range(0, args.rows, 1000):
            store.save_many(scene.envelopes(min(1000, args.rows - done), lambda i, b=done: t0 + (b + i) * 0.02))
        for done in range(0, args.sms, 1000):
            store.save_many(phone_records(scene, min(1000, args.sms - done), args.campaigns, t0, done))
        table = TransmitterTable(store)
        start = time.perf_counter()
        cards = table.build()["transmitters"]
        first = time.perf_counter() - start
        shown = [t["activity"] for t in cards if t["activity"]]
        emit(phase="first build", rows=args.rows, sms=args.sms, campaigns=args.campaigns, seconds=round(first, 3),
             cards_with_campaigns=sum(1 for a in shown if a["campaigns"]),
             campaigns_found=len(store.campaigns()))  # fmt: skip
        more = iter(range(args.rows, args.rows + 10 * args.repeat))
        extra = iter(range(args.sms, args.sms + 10 * args.repeat))

        def after_reading() -> None:
            store.save_many(scene.envelopes(1, lambda i: t0 + next(more) * 0.02))
            table.build()

        def after_sms(due: bool) -> None:
            store.save_many(phone_records(scene, 1, args.campaigns, t0, next(extra)))
            if due:  # as if INTEL_MIN_S and INTEL_DUTY times the last cost had passed since the last read
                table._intel_at = -1e9
            table.build()

        emit(phase="build after one new reading (campaigns and evidence cached)", **seconds(after_reading, args.repeat))
        emit(phase="build after one new SMS, read again", **seconds(lambda: after_sms(True), args.repeat))
        emit(phase="build after one new SMS within INTEL_MIN_S (last ones shown)",
             **seconds(lambda: after_sms(False), args.repeat))  # fmt: skip
        emit(phase="Store.campaigns() alone", **seconds(store.campaigns, args.repeat))
        emit(phase="Store.evidence() alone", **seconds(store.evidence, args.repeat))


if __name__ == "__main__":
    main()
