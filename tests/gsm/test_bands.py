"""Bands and ARFCNs (TS 45.005 §2)."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.gsm import bands


def test_known_channels():
    assert bands.arfcn_to_downlink_hz(725) == 1_847_800_000  # README: DCS 1800, 1847.8 MHz
    assert bands.arfcn_to_downlink_hz(93) == 953_600_000
    assert bands.arfcn_to_downlink_hz(30) == 941_000_000
    assert bands.arfcn_to_downlink_hz(1017) == 933_600_000  # E-GSM
    assert bands.arfcn_to_uplink_hz(1) == 890_200_000
    assert bands.arfcn_to_downlink_hz(0, "E-GSM900") == 935_000_000
    assert bands.arfcn_to_downlink_hz(975) == 925_200_000
    assert bands.arfcn_to_downlink_hz(955) == 921_200_000
    assert bands.arfcn_to_downlink_hz(940) == 918_200_000
    assert bands.arfcn_to_downlink_hz(128) == 869_200_000
    assert bands.arfcn_to_downlink_hz(259) == 460_600_000
    assert bands.arfcn_to_downlink_hz(306) == 489_000_000
    assert bands.arfcn_to_downlink_hz(885) == 1_879_800_000
    assert bands.arfcn_to_downlink_hz(438) == 747_200_000 and bands.arfcn_to_uplink_hz(438) == 777_200_000


def test_dcs_and_pcs_share_numbers():
    assert bands.arfcn_to_downlink_hz(512) == 1_805_200_000
    assert bands.arfcn_to_downlink_hz(512, pcs=True) == 1_930_200_000
    assert bands.arfcn_to_downlink_hz(810, "PCS1900") == 1_989_800_000
    assert bands.arfcn_to_uplink_hz(512, "PCS1900") == 1_850_200_000
    assert bands.band_of_arfcn(700).name == "DCS1800"
    assert bands.band_of_arfcn(700, pcs=True).name == "PCS1900"
    assert bands.band_of_arfcn(850, pcs=True).name == "DCS1800"  # beyond PCS: only DCS has it
    assert bands.band_of_arfcn(600, prefer=("PCS1900",)).name == "PCS1900"
    with pytest.raises(ValueError):
        bands.arfcn_to_downlink_hz(811, "PCS1900")


def test_arfcn_lists():
    assert len(bands.arfcns_of_band("P-GSM900")) == 124
    egsm = bands.arfcns_of_band("E-GSM900")
    assert len(egsm) == 174 and egsm[0] == 975 and egsm[-1] == 124
    assert len(bands.arfcns_of_band("R-GSM900")) == 194
    assert len(bands.arfcns_of_band("DCS1800")) == 374
    assert len(bands.arfcns_of_band("PCS1900")) == 299
    assert len(bands.arfcns_of_band("GSM850")) == 124
    assert 0 not in bands.arfcns_of_band("P-GSM900")
    with pytest.raises(ValueError):
        bands.arfcns_of_band("GSM1234")


@pytest.mark.parametrize("name", list(bands.BANDS))
def test_every_channel_round_trips(name):
    b = bands.BANDS[name]
    dl = b.downlink_hz(b.arfcns())
    assert np.all(np.diff(dl) == 200_000)
    for arfcn, f in zip(b.arfcns(), dl):
        m = bands.downlink_hz_to_arfcn(float(f) + 37_000.0, bands=(name,))
        assert m is not None and m.arfcn == arfcn and m.band == name and m.offset_hz == pytest.approx(37_000.0)
        assert b.uplink_hz(int(arfcn)) == f - b.duplex_hz


def test_nearest_channel_search():
    m = bands.downlink_hz_to_arfcn(933.6e6 - 620.0)
    assert (m.band, m.arfcn, m.carrier_hz, m.offset_hz) == ("E-GSM900", 1017, 933_600_000, pytest.approx(-620.0))
    assert bands.downlink_hz_to_arfcn(953.6e6).band == "P-GSM900"
    pcs = bands.downlink_hz_to_arfcn(1950.0e6)
    assert (pcs.band, pcs.arfcn) == ("PCS1900", 512 + 99)
    assert bands.downlink_hz_to_arfcn(1950.0e6, bands=("DCS1800",)) is None
    assert bands.downlink_hz_to_arfcn(1000e6) is None
    far = bands.downlink_hz_to_arfcn(1000e6, max_offset_hz=None)
    assert far is not None and far.arfcn == 124
