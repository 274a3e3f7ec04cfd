"""The compiled fast path (numba) gives bit-identical results to the numpy reference."""

from __future__ import annotations

import numpy as np
import pytest

from sensor import fastpath
from sensor.coding import convolutional
from sensor.coding.convolutional import GSM_K5, conv_encode, viterbi_decode
from sensor.dsp import mlse
from sensor.dsp.mlse import equalize_normal_bursts
from sensor.dsp.gmsk import gmsk_modulate
from sensor.gsm.burst import NORMAL_TRAINING_POSITIONS
from sensor.gsm.training import NORMAL_TSC_UBITS

pytestmark = pytest.mark.skipif(not fastpath.enabled(), reason="numba not installed (pip install 'fbs-sensor[fast]')")


@pytest.fixture
def reference(monkeypatch):
    """Run the numpy reference inside the block: the compiled getters answer None."""
    def off():
        monkeypatch.setattr(mlse, "forward_backward", lambda: None)
        monkeypatch.setattr(convolutional, "viterbi", lambda: None)
    return off


def test_viterbi_compiled_equals_reference(reference):
    rng = np.random.default_rng(7)
    u = rng.integers(0, 2, (300, 189)).astype(np.uint8)
    u[:, -4:] = 0
    coded = 1.0 - 2.0 * conv_encode(u, GSM_K5).astype(np.float32)
    soft = (coded + rng.normal(0, 0.6, coded.shape)).astype(np.float32)
    soft[rng.random(soft.shape) < 0.05] = 0.0  # erasures, and ties in the metrics
    fast = [viterbi_decode(soft, GSM_K5, terminated=t) for t in (True, False)]
    reference()
    ref = [viterbi_decode(soft, GSM_K5, terminated=t) for t in (True, False)]
    for f, r in zip(fast, ref):
        assert np.array_equal(f.ubits, r.ubits) and np.array_equal(f.n_corrected, r.n_corrected)
    assert np.mean(fast[0].ubits != u) < 0.01  # and it decodes


def test_mlse_compiled_equals_reference(reference):
    rng = np.random.default_rng(11)
    sps, n = 2, 400
    bits = rng.integers(0, 2, (n, 148)).astype(np.uint8)
    bits[:, :3] = 0
    bits[:, -3:] = 0
    bits[:, NORMAL_TRAINING_POSITIONS] = NORMAL_TSC_UBITS[5]
    margin = 10 * sps
    rows = np.empty((n, 148 * sps + 2 * margin), np.complex64)
    for i in range(n):
        pad = rng.integers(0, 2, 30).astype(np.uint8)
        s, _ = gmsk_modulate(np.concatenate((pad[:10], bits[i], pad[10:])), samples_per_symbol=sps)
        rows[i] = s[: rows.shape[1]] * np.exp(1j * rng.uniform(0, 2 * np.pi))
    rows += (rng.normal(0, 0.35, rows.shape) + 1j * rng.normal(0, 0.35, rows.shape)).astype(np.complex64)
    kw = dict(burst_start_sample=margin + sps // 2, tsc=5, samples_per_symbol=sps, search_symbols=3.0)
    fast = equalize_normal_bursts(rows, **kw)
    reference()
    ref = equalize_normal_bursts(rows, **kw)
    assert np.array_equal(fast.sbits, ref.sbits) and np.array_equal(fast.ubits, ref.ubits)
    assert np.mean(fast.ubits != bits) < 0.02
