"""The phone population around a fake station (sensor/sim/phones.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.sim.phones import LureGeometry, arrivals, luhn_digit, lure_probability, offset_points
from sensor.sim.propagation import PathLossModel, distance_m


def test_luhn_digit_of_a_published_imei():
    # TS 23.003 Annex B worked example style, and the widely published IMEI 49015420323751-8
    assert luhn_digit("49015420323751") == "8"
    assert luhn_digit("35209900176148") == "1"


def _phones(seed=1, **kw):
    args = dict(
        rate_per_s=1.0,
        duration_s=600.0,
        start_s=0.0,
        rng=np.random.default_rng(seed),
        mcc="460",
        mnc="00",
        tmsi_share=0.6,
        neci=True,
        reach_m=300.0,
        lure_share=1.0,
        geometry=None,
    )
    args.update(kw)
    return arrivals(**args)


def test_arrivals_are_poisson_and_each_phone_is_well_formed():
    phones = _phones()
    assert 540 <= len(phones) <= 660  # 600 ± 2.5 sigma
    times = [p.arrival_s for p in phones]
    assert times == sorted(times) and times[0] >= 0 and times[-1] <= 600
    for p in phones:
        assert len(p.imsi) == 15 and p.imsi.startswith("46000") and p.imsi.isdigit()
        assert len(p.imei) == 15 and luhn_digit(p.imei[:14]) == p.imei[14]
        assert 0 <= p.ra < 16  # NECI 1: cause 0000xxxx
        assert p.tmsi is None or 0 <= p.tmsi < 0xFFFFFFFF
    shown = sum(p.tmsi is not None for p in phones) / len(phones)
    assert 0.5 < shown < 0.7
    assert len({p.imsi for p in phones}) == len(phones)
    assert _phones() == phones  # seeded
    assert all(p.ra < 32 for p in _phones(neci=False))


def test_lure_share_thins_the_population():
    assert 0.2 < len(_phones(lure_share=0.3)) / len(_phones(lure_share=1.0)) < 0.4
    assert _phones(rate_per_s=0.0) == [] and _phones(duration_s=0.0) == []


def test_lure_probability():
    assert lure_probability(np.array([0.0]), 6.0)[0] == pytest.approx(0.5)
    p = lure_probability(np.array([-20.0, -5.0, 5.0, 20.0]), 6.0)
    assert np.all(np.diff(p) > 0) and p[0] < 0.01 and p[-1] > 0.99
    assert lure_probability(np.array([-1.0, 1.0]), 0.0).tolist() == [0.0, 1.0]


def test_geometry_lures_near_phones_more_than_far_ones():
    fake = (31.2304, 121.4737)
    real_site = offset_points(*fake, np.array([1500.0]), np.array([0.0]))[0]
    geo = LureGeometry(
        fake_position=fake,
        fake_tx_dbm=30.0,
        fake_c2_offset_db=20.0,
        real=(((float(real_site[0]), float(real_site[1])), 43.0, 0.0),),
        hysteresis_db=6.0,
        model=PathLossModel(),
    )
    pts = offset_points(*fake, np.array([10.0, 200.0, 800.0, 1400.0]), np.full(4, 0.0))
    assert np.allclose(distance_m(*fake, pts[:, 0], pts[:, 1]), [10, 200, 800, 1400], rtol=1e-3)
    p = geo.probability(pts)
    assert np.all(np.diff(p) < 0) and p[0] > 0.95 and p[-1] < 0.05
    phones = _phones(lure_share=None, geometry=geo, reach_m=2000.0)
    everyone = _phones(reach_m=2000.0)
    # the phones on the real cell's side, far from the fake, stay with their network
    assert 0.5 * len(everyone) < len(phones) < 0.95 * len(everyone)
    assert all(p.distance_m is not None and 0 <= p.distance_m <= 2000.0 for p in phones)
