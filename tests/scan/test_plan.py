"""The scan planner: every channel covered by exactly one tuning that holds its whole 200 kHz
channel inside the usable band and clear of the DC spike for any receiver error within the
margin, with as few tunings as a brute-force search finds."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math

import numpy as np
import pytest

from sensor.errors import ConfigError
from sensor.gsm.bands import BANDS
from sensor.scan.plan import ScanPlan, arfcn_ranges_text, cover_frequencies, plan_scan
from sensor.sources.profiles import ReceiverProfile, load_profile

HALF_CHANNEL_HZ = 100e3


def holds(profile: ReceiverProfile, rate_hz: float, center_hz: float, carrier_hz: np.ndarray, ppm: float) -> np.ndarray:
    """From first principles: for the receiver's error at both extremes ±ppm, the carrier is seen at
    f/(1 + ε); its whole channel must be inside ±usable/2 and outside ±dc_spike_width/2."""
    half_usable = rate_hz * profile.usable_bandwidth_fraction / 2
    half_dc = profile.dc_spike_width_hz / 2 if profile.dc_spike else None
    ok = np.ones(np.shape(carrier_hz), dtype=bool)
    for eps in (-ppm * 1e-6, ppm * 1e-6):
        d = np.abs(np.asarray(carrier_hz, dtype=np.float64) / (1 + eps) - center_hz)
        ok &= d + HALF_CHANNEL_HZ <= half_usable
        if half_dc is not None:
            ok &= d - HALF_CHANNEL_HZ >= half_dc
    return ok


def check_plan(plan: ScanPlan, profile: ReceiverProfile, bands: list[str], ppm: float, arfcns=None) -> None:  # type: ignore[no-untyped-def]
    expected = {}
    for name in bands:
        for a in BANDS[name].arfcns():
            if arfcns is None or int(a) in arfcns:
                expected.setdefault(int(BANDS[name].downlink_hz(int(a))), (name, int(a)))
    seen: dict[int, int] = {}
    for t in plan.tunings:
        assert profile.can_tune(t.center_hz) and t.center_hz == round(t.center_hz)
        assert t.channels, "a tuning without channels"
        f = np.array([c.downlink_hz for c in t.channels], dtype=np.float64)
        assert holds(profile, plan.sample_rate_hz, t.center_hz, f, ppm).all(), t
        for c in t.channels:
            assert c.downlink_hz == BANDS[c.band].downlink_hz(c.arfcn)
            seen[c.downlink_hz] = seen.get(c.downlink_hz, 0) + 1
    assert all(n == 1 for n in seen.values()), "a channel in two tunings"
    left = {c.downlink_hz for c in plan.left_out}
    assert not left & set(seen)
    assert set(seen) | left == set(expected), "a channel neither planned nor left out"
    centres = [t.center_hz for t in plan.tunings]
    assert centres == sorted(centres)


def grid_cover_size(
    profile: ReceiverProfile, rate_hz: float, carriers_hz: np.ndarray, ppm: float, step_hz: float = 1e3
) -> int:
    """The fewest centres on a ``step_hz`` grid covering all carriers (brute force over the
    distinct sets a grid centre covers)."""
    span = rate_hz / 2
    grid = np.arange(carriers_hz.min() - span, carriers_hz.max() + span, step_hz)
    grid = grid[[profile.can_tune(c) for c in grid]]
    sets = {frozenset(np.flatnonzero(holds(profile, rate_hz, c, carriers_hz, ppm)).tolist()) for c in grid}
    sets = [s for s in sets if s and not any(s < t for t in sets)]
    everything = frozenset(range(len(carriers_hz)))
    for k in range(1, len(carriers_hz) + 1):
        if any(frozenset().union(*combo) == everything for combo in itertools.combinations(sets, k)):
            return k
    raise AssertionError("not coverable")


@pytest.mark.parametrize(
    ("profile_name", "rate_hz", "band", "count"),
    [
        ("rtlsdr-r820t", 2.4e6, "E-GSM900", 28),
        ("rtlsdr-r828d", 2.048e6, "E-GSM900", 32),
        ("rtlsdr-e4000", 2.4e6, "DCS1800", 68),
        ("hackrf-one", None, "E-GSM900", 4),
        ("hackrf-one", None, "DCS1800", 9),
        ("hackrf-one", 20e6, "E-GSM900", 4),
        ("hackrf-one", 20e6, "DCS1800", 8),
    ],
)
def test_every_channel_covered_exactly_once(profile_name: str, rate_hz: float | None, band: str, count: int) -> None:
    profile = load_profile(profile_name)
    plan = plan_scan(profile, [band], sample_rate_hz=rate_hz)
    assert plan.sample_rate_hz == (rate_hz or profile.default_sample_rate_hz)
    check_plan(plan, profile, [band], 50.0)
    assert not plan.left_out and plan.optimal
    assert len(plan.tunings) == count


def test_a_small_set_needs_no_more_tunings_than_brute_force_finds() -> None:
    profile = load_profile("rtlsdr-r820t")
    for arfcns in (range(1, 13), range(40, 47), [975, 976, 980, 990, 0, 1, 2]):
        plan = plan_scan(profile, ["E-GSM900"], arfcns=arfcns, sample_rate_hz=2.4e6)
        check_plan(plan, profile, ["E-GSM900"], 50.0, arfcns=set(arfcns))
        f = np.array([c.downlink_hz for c in plan.channels], dtype=np.float64)
        assert len(plan.tunings) <= grid_cover_size(profile, 2.4e6, f, 50.0)


def test_the_whole_band_beats_greedy_and_meets_the_bound() -> None:
    profile = load_profile("rtlsdr-r820t")
    plan = plan_scan(profile, ["E-GSM900"], sample_rate_hz=2.4e6)
    f = np.array([c.downlink_hz for c in plan.channels], dtype=np.float64)
    grid = np.arange(f.min() - 1.2e6, f.max() + 1.2e6, 2e3)
    cover = np.array([holds(profile, 2.4e6, c, f, 50.0) for c in grid])
    left, greedy = np.ones(len(f), bool), 0
    while left.any():
        left &= ~cover[np.argmax((cover & left).sum(axis=1))]
        greedy += 1
    most = int(cover.sum(axis=1).max())
    assert math.ceil(len(f) / most) <= len(plan.tunings) <= greedy


def test_a_calibrated_receiver_needs_fewer_tunings() -> None:
    profile = load_profile("rtlsdr-r820t")
    loose = plan_scan(profile, ["E-GSM900"], ppm_uncertainty=50.0)
    tight = plan_scan(profile, ["E-GSM900"], ppm_uncertainty=0.5)
    check_plan(tight, profile, ["E-GSM900"], 0.5)
    assert len(tight.tunings) < len(loose.tunings)
    with pytest.raises(ConfigError, match="must not be negative"):
        plan_scan(profile, ["E-GSM900"], ppm_uncertainty=-1)


def test_dc_exclusion() -> None:
    base = load_profile("rtlsdr-r820t")
    wide_spike = dataclasses.replace(base, dc_spike_width_hz=600e3)
    plan = plan_scan(wide_spike, ["E-GSM900"])
    check_plan(plan, wide_spike, ["E-GSM900"], 50.0)
    for t in plan.tunings:
        nearest = min(abs(c.downlink_hz - t.center_hz) for c in t.channels)
        assert nearest >= 300e3 + 100e3 + 47e3
    no_spike = dataclasses.replace(base, dc_spike=False)
    plan_no = plan_scan(no_spike, ["E-GSM900"])
    check_plan(plan_no, no_spike, ["E-GSM900"], 50.0)
    assert len(plan_no.tunings) < len(plan_scan(base, ["E-GSM900"]).tunings) < len(plan.tunings)


def test_a_band_out_of_reach_is_one_clear_error() -> None:
    with pytest.raises(ConfigError) as info:
        plan_scan(load_profile("rtlsdr-r820t"), ["E-GSM900", "DCS1800"])
    assert str(info.value) == (
        "band DCS1800 (1805.2-1879.8 MHz) is out of reach of rtlsdr-r820t (tuning range 24-1766 MHz)"
    )


def test_a_partly_reachable_band_is_planned_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    profile = dataclasses.replace(load_profile("rtlsdr-r820t"), tuning_range_hz=(24e6, 950e6))
    with caplog.at_level(logging.WARNING, logger="sensor.scan.plan"):
        plan = plan_scan(profile, ["E-GSM900"])
    check_plan(plan, profile, ["E-GSM900"], 50.0)
    lost = [c.arfcn for c in plan.left_out]
    assert lost and lost == sorted(lost) and lost[-1] == 124
    # exactly the channels no tunable centre can hold
    f = np.array([BANDS["E-GSM900"].downlink_hz(a) for a in range(60, 125)], dtype=np.float64)
    grid = np.arange(945e6, 950e6 + 1, 1e3)  # only centres within 1 MHz of 946-950 MHz matter
    reachable = np.array([holds(profile, 2.4e6, c, f, 50.0) for c in grid]).any(axis=0)
    assert lost == [a for a, ok in zip(range(60, 125), reachable) if not ok]
    assert f"cannot receive {len(lost)} channel(s) of E-GSM900 (ARFCN {arfcn_ranges_text(lost)})" in caplog.text


def test_no_centre_in_a_tuning_gap() -> None:
    base = load_profile("rtlsdr-r820t")
    narrow = dataclasses.replace(base, tuning_gaps_hz=[(944.5e6, 945.5e6)])
    plan = plan_scan(narrow, ["E-GSM900"])
    check_plan(plan, narrow, ["E-GSM900"], 50.0)
    assert not any(944.5e6 <= t.center_hz <= 945.5e6 for t in plan.tunings)
    assert not plan.left_out  # the windows reach over a 1 MHz gap
    wide = dataclasses.replace(base, tuning_gaps_hz=[(944e6, 946e6)])
    plan = plan_scan(wide, ["E-GSM900"])
    check_plan(plan, wide, ["E-GSM900"], 50.0)
    # 945.0 MHz needs a centre within 945 ± 0.87 MHz, all inside the gap
    assert [c.arfcn for c in plan.left_out] == [50]


def test_too_narrow_a_passband() -> None:
    profile = dataclasses.replace(
        load_profile("soapy-generic"),
        usable_bandwidth_fraction=0.3,
        sample_rate_range_hz=(1e6, 20e6),
        default_sample_rate_hz=1e6,
    )
    with pytest.raises(ConfigError, match=r"usable 300 kHz cannot hold a 200 kHz channel"):
        plan_scan(profile, ["E-GSM900"])
    with pytest.raises(ConfigError, match="cannot run at 3 Msps"):
        plan_scan(load_profile("rtlsdr-r820t"), ["E-GSM900"], sample_rate_hz=3e6)


def test_arfcn_subsets_and_overlapping_bands() -> None:
    profile = load_profile("hackrf-one")
    plan = plan_scan(profile, ["P-GSM900", "E-GSM900"], arfcns=[1, 2, 3, 1000])
    assert sorted((c.band, c.arfcn) for c in plan.channels) == [
        ("E-GSM900", 1000),
        ("P-GSM900", 1),
        ("P-GSM900", 2),
        ("P-GSM900", 3),
    ]
    assert len(plan.tunings) == 1 and plan.tuning_for(2) is plan.tunings[0] and plan.tuning_for(5) is None
    with pytest.raises(ConfigError, match="ARFCN 600 in none of the bands E-GSM900"):
        plan_scan(profile, ["E-GSM900"], arfcns=[1, 600])


def test_cover_frequencies_for_carriers_as_seen() -> None:
    profile = load_profile("rtlsdr-r820t")
    plan = plan_scan(profile, ["E-GSM900"], ppm_uncertainty=0.0)
    seen = plan.passband
    carriers = np.array([946.6e6, 947.0e6, 947.2e6, 947.6e6, 947.8e6, 948.2e6]) - 38e3
    cover = cover_frequencies(profile, carriers, seen)
    assert len(cover.centers_hz) == 1 and (cover.owner == 0).all()
    assert holds(profile, 2.4e6, cover.centers_hz[0], carriers, 0.0).all()


def test_arfcn_ranges_text() -> None:
    assert arfcn_ranges_text([975, 976, 977, 0, 1, 5]) == "975-977, 0-1, 5"
    assert arfcn_ranges_text([]) == ""
