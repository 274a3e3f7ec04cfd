"""The simulator's ground truth as the receiver would hand it to the session tracker: each
ScheduledBlock of a cell as an L2Block (ciphered ones failing their CRC with garbage octets), in
FN order; and helpers to drop blocks and run a tracker over them."""

from __future__ import annotations

import dataclasses
import random
from functools import cache
from typing import Any

from sensor.gsm import tdma
from sensor.model import L2Block
from sensor.sessions.output import activity, session_object, sms_object
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.sessions.tracker import SessionTracker
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import SceneTraffic, scene_traffic

SCENES = "recordings/scenes"
TEST_KEY = bytes(range(32))


@cache
def scene(name: str) -> tuple[Any, SceneTraffic]:
    sc = load_scene(f"{SCENES}/{name}.toml")
    return sc, scene_traffic(sc)


def cell_of(sc: Any, name: str) -> Any:
    return next(c for c in sc.cells if c.name == name)


def l2_blocks(name: str, cell: str, *, seed: int = 0) -> list[L2Block]:
    sc, st = scene(name)
    spec = cell_of(sc, cell)
    rng = random.Random(seed)
    out = []
    for b in st.traffic[cell].between(0, tdma.HYPERFRAME_FRAMES):
        octets, ok = b.octets, not b.ciphered
        if b.ciphered:
            octets = bytes(rng.randrange(256) for _ in range(23))
        out.append(
            L2Block(
                arfcn=spec.arfcn, fn=b.first_fn, tn=b.tn, channel=b.channel, octets=octets, crc_ok=ok,
                t_s=(b.first_fn - spec.start_fn) * tdma.FRAME_DURATION_S, bsic=spec.bsic, sub=b.sub,
            )
        )  # fmt: skip
    return out


def damaged(blocks: list[L2Block], share: float, *, seed: int = 1) -> list[L2Block]:
    """``share`` of the blocks failing their CRC (garbage octets), as a receiver delivers a lost block."""
    rng = random.Random(seed)
    out = []
    for b in blocks:
        if rng.random() < share:
            b = dataclasses.replace(b, octets=bytes(rng.randrange(256) for _ in range(23)), crc_ok=False)
        out.append(b)
    return out


def run(blocks: list[L2Block], *, arfcn: int, bsic: int | None, key: bytes = TEST_KEY, keep_raw: bool = False):
    """(session objects, sms objects, activity, the tracker) of one carrier's blocks."""
    tracker = SessionTracker(arfcn, bsic, Pseudonymizer(None if keep_raw else key, keep_raw=keep_raw))
    sessions, sms = [], []
    for block in blocks:
        tracker.add(block)
        s, m = tracker.take()
        sessions += s
        sms += m
    s, m = tracker.finish()
    sessions += s
    sms += m
    sessions.sort(key=lambda x: (x.t_s is None, x.t_s or 0.0))
    return [session_object(x) for x in sessions], [sms_object(x) for x in sms], activity(tracker), tracker


def run_cell(name: str, cell: str, **kw: Any):
    sc, _ = scene(name)
    spec = cell_of(sc, cell)
    return run(l2_blocks(name, cell), arfcn=spec.arfcn, bsic=spec.bsic, **kw)
