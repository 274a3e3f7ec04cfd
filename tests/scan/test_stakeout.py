"""Stakeouts (scan/scheduler.py): staying on an active suspect or pinned carrier follows whole phone
sessions; the budget keeps the rest of the band revisited; a stakeout ends when its carrier stops."""

from __future__ import annotations

import pytest

from sensor.errors import ConfigError
from sensor.replay import CarrierSessions
from sensor.resources import project_dir
from sensor.scan.scheduler import StakeoutPolicy, TuningVisit
from sensor.scan.session import ScanSession, open_session
from sensor.sessions import Pseudonymizer
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic

SCENES = project_dir("recordings") / "scenes"
SDCCH8 = SCENES / "fake-street-sdcch8.toml"  # parked 120 m from a fake on ARFCN 64 that works ~1 phone/s
FAKE = 64


def _session(scene, arfcns: str, **kw) -> tuple[ScanSession, CarrierSessions]:
    s = open_session(f"sim:{scene}", arfcns=arfcns, gps="none", **kw)
    carriers = CarrierSessions(Pseudonymizer(key=bytes(32)))
    s.scanner.on_block = carriers.add
    return s, carriers


def _passes(s: ScanSession, radio_s: float) -> list[list[TuningVisit]]:
    """Passes until ``radio_s`` seconds of radio time (dwell + settle) went by."""
    passes: list[list[TuningVisit]] = []
    while sum(v.dwell_s + s.profile.settle_s for p in passes for v in p) < radio_s:
        passes.append(s.scanner.scan_pass(len(passes)))
    return passes


def _scan_for(s: ScanSession, radio_s: float) -> list[TuningVisit]:
    return [v for p in _passes(s, radio_s) for v in p]


def _whole(carriers: CarrierSessions) -> tuple[int, int]:
    carriers.finish()
    sessions = [x for x in carriers.sessions if x.arfcn == FAKE]
    return sum(x.complete for x in sessions), len([m for m in carriers.sms if m.arfcn == FAKE])


@pytest.mark.slow
def test_a_stakeout_follows_more_whole_sessions_of_the_fake_than_usual_visits():
    """The same scene, the same radio time: usual visits only, then the fake a suspect (what the
    daemon tells the scanner once it judged the cell fake)."""
    plain, plain_carriers = _session(SDCCH8, "56-70")
    try:
        plain_visits = _scan_for(plain, 14.0)
    finally:
        plain.close()
    staked, staked_carriers = _session(SDCCH8, "56-70")
    staked.scanner.suspect(FAKE)
    try:
        staked_visits = _scan_for(staked, 14.0)
    finally:
        staked.close()
    assert not any(v.stakeout for v in plain_visits)
    stakeouts = [v for v in staked_visits if v.stakeout]
    assert stakeouts and all(v.stakeout == (FAKE,) for v in stakeouts)
    # it started only after a usual visit of that tuning that saw the fake at work and decoding
    first = staked_visits.index(stakeouts[0])
    before = [v for v in staked_visits[:first] if v.center_hz == stakeouts[0].center_hz]
    assert before and not before[-1].stakeout and FAKE in before[-1].active & before[-1].in_reach
    whole_plain, sms_plain = _whole(plain_carriers)
    whole_staked, sms_staked = _whole(staked_carriers)
    print(f"whole sessions of the fake: {whole_plain} usual, {whole_staked} with stakeouts; "
          f"SMS {sms_plain} vs {sms_staked}")  # fmt: skip
    assert whole_staked >= 2 and whole_staked > whole_plain
    assert sms_staked > sms_plain


@pytest.mark.slow
def test_with_a_carrier_active_all_along_every_other_tuning_is_revisited_within_the_bound(tmp_path):
    """The module docstring's bound: with share s, r = s/(1-s), stakeouts take at most max_s + r·N
    over N seconds of other visits, and a tuning in every pass is revisited within
    2·(1 + r)·P + max_s, P the other visits of a pass."""
    scene = tmp_path / "long.toml"  # the fake works phones for a minute
    scene.write_text(f'extends = "{SDCCH8}"\nname = "long"\nduration_s = 60.0\n')
    policy = StakeoutPolicy(max_s=6.0, min_s=2.0, share=0.5)
    s, _ = _session(scene, "50-80", stakeout=policy, watch=(FAKE,))
    s.scanner.empty_every = 1  # every tuning in every pass: the bound is about those
    try:
        passes = _passes(s, 30.0)
    finally:
        s.close()
    visits = [v for p in passes for v in p]
    staked = [v for v in visits if v.stakeout]
    other_s = sum(v.dwell_s for v in visits if not v.stakeout)
    assert len(staked) >= 3 and any(v.stakeout_end == "bound" for v in staked)  # the budget was what stopped them
    r = policy.ratio
    assert sum(v.dwell_s for v in staked) <= policy.max_s + r * other_s + 0.5  # + a window past the bound
    p_s = max(sum(v.dwell_s for v in p if not v.stakeout) for p in passes)  # P: a pass's other visits
    fake_center = s.plan.tuning_for(FAKE).center_hz
    bound_s = 2 * (1 + r) * p_s + policy.max_s
    for t in s.plan.tunings:
        if t.center_hz == fake_center:
            continue
        at = [i for i, v in enumerate(visits) if v.center_hz == t.center_hz]
        assert len(at) >= 3, t
        gaps = [sum(v.dwell_s for v in visits[a + 1 : b]) for a, b in zip(at, at[1:])]
        print(f"{t.center_hz / 1e6:.1f} MHz: revisited after at most {max(gaps):.1f} s (bound {bound_s:.1f} s)")
        assert max(gaps) <= bound_s


@pytest.mark.slow
def test_a_stakeout_ends_when_the_carrier_goes_quiet_or_off_the_air(tmp_path):
    text = SDCCH8.read_text().replace("rate_per_s = 1.0", "rate_per_s = 2.0")  # at work from the start
    quiet = tmp_path / "quiet.toml"  # phones only in the first 2 s; the carrier stays on
    quiet.write_text(text.replace("duration_s = 20.0", "duration_s = 2.0"))
    off = tmp_path / "off.toml"  # the fake switches off at 7 s, in the middle of its sessions
    off.write_text(text.replace('dedicated = "sdcch8"', 'dedicated = "sdcch8"\noff_s = 7.0'))
    (truth,) = scene_traffic(load_scene(quiet)).truth.values()
    quiet_from_s = max(x["end_t_s"] for x in truth["sessions"])  # the last session's release
    ends = {}
    for scene in (quiet, off):
        s, carriers = _session(scene, "62-66", watch=(FAKE,))
        try:
            (v,) = [x for x in s.scanner.scan_pass(0) if x.stakeout]
        finally:
            s.close()
        ends[scene.stem] = v
    q, o = ends["quiet"], ends["off"]
    assert q.stakeout_end == "idle" and o.stakeout_end == "out_of_reach"
    # quiet: idle_s of nothing after the last session's release
    print(f"quiet from {quiet_from_s:.1f} s: left at {q.started_s + q.dwell_s:.1f} s; off at 7 s: left at "
          f"{o.started_s + o.dwell_s:.1f} s")  # fmt: skip
    assert quiet_from_s + 3.0 - 0.5 <= q.started_s + q.dwell_s <= quiet_from_s + 3.0 + 1.5
    # off the air: lost_s after 7 s, not the 30 s allowed
    assert 7.0 + 1.0 - 0.5 <= o.started_s + o.dwell_s <= 7.0 + 1.0 + 1.5
    assert FAKE not in o.in_reach


def test_watch_must_be_in_the_plan_and_the_policy_checked():
    s = open_session(f"sim:{SDCCH8}", arfcns="60-66", gps="none")
    try:
        with pytest.raises(ConfigError, match="--watch 70: ARFCN 70 is not in the scanned bands"):
            s.scanner.watch(70)
        s.scanner.watch(62)
        assert s.scanner.watched == (62,)
        assert s.scanner.order(0)[0] is s.plan.tuning_for(62)  # a pinned carrier's tuning comes first
    finally:
        s.close()
    with pytest.raises(ConfigError, match="--watch 1: ARFCN 1 is not"):
        open_session(f"sim:{SDCCH8}", arfcns="60-66", gps="none", watch=(1,))
    for bad in ({"share": 0.95}, {"min_s": 40.0}, {"idle_s": 0.0}):
        with pytest.raises(ConfigError, match="stakeout"):
            StakeoutPolicy(**bad)


def test_a_stakeout_ends_once_the_car_moved_away_from_where_it_began():
    """A visit is one reading (power and position) for localisation: in a car driving at 12 m/s,
    a stakeout stops after move_m, not at its bound."""
    s = open_session(
        f"sim:{SCENES / 'patrol.toml'}", arfcns="62-66", gps="sim", watch=(FAKE,), stakeout=StakeoutPolicy(move_m=20.0)
    )
    try:
        v = s.scanner.visit(s.plan.tuning_for(FAKE))
    finally:
        s.close()
    assert v.stakeout == (FAKE,) and v.stakeout_end == "moved"
    assert 20.0 / 12.0 <= v.dwell_s <= 20.0 / 12.0 + 1.5  # the route's fixes come once a second
