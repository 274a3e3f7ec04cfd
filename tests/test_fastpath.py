"""The compiled fast path (numba) gives the numpy reference's results: bit-identical for the
trellis and Viterbi twins, to float32 rounding for the channelizer's, to float64 rounding for the
channel estimator's (with the same offsets chosen), and the same decoded blocks end to end."""

from __future__ import annotations

import numpy as np
import pytest

from sensor import fastpath
from sensor.coding import convolutional
from sensor.coding.convolutional import GSM_K5, conv_encode, viterbi_decode
from sensor.dsp import chanest, mlse
from sensor.dsp.gmsk import gmsk_modulate
from sensor.dsp.mlse import equalize_normal_bursts
from sensor.gsm.burst import NORMAL_TRAINING_POSITIONS
from sensor.gsm.training import NORMAL_TSC_UBITS

pytestmark = pytest.mark.skipif(not fastpath.enabled(), reason="numba not installed (pip install 'fbs-sensor[fast]')")


@pytest.fixture
def reference(monkeypatch):
    """Run the numpy reference inside the block: the compiled getters answer None."""

    def off():
        monkeypatch.setattr(mlse, "forward_backward", lambda: None)
        monkeypatch.setattr(mlse, "branch_metrics", lambda: None)
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


def _bursts(rng, n, sps, tsc, noise, shape=lambda s, rng: s):
    """n random normal bursts (training sequence ``tsc``) at sps, 10 symbols of margin, random
    phase, ``shape`` applied to each modulated burst, complex noise of std ``noise``."""
    bits = rng.integers(0, 2, (n, 148)).astype(np.uint8)
    bits[:, :3] = 0
    bits[:, -3:] = 0
    bits[:, NORMAL_TRAINING_POSITIONS] = NORMAL_TSC_UBITS[tsc]
    margin = 10 * sps
    rows = np.empty((n, 148 * sps + 2 * margin), np.complex64)
    for i in range(n):
        pad = rng.integers(0, 2, 30).astype(np.uint8)
        s, _ = gmsk_modulate(np.concatenate((pad[:10], bits[i], pad[10:])), samples_per_symbol=sps)
        rows[i] = shape(s, rng)[: rows.shape[1]] * np.exp(1j * rng.uniform(0, 2 * np.pi))
    rows += (rng.normal(0, noise, rows.shape) + 1j * rng.normal(0, noise, rows.shape)).astype(np.complex64)
    return bits, rows, margin


def test_mlse_compiled_equals_reference(reference):
    rng = np.random.default_rng(11)
    sps = 2
    bits, rows, margin = _bursts(rng, 400, sps, 5, 0.35)
    kw = dict(burst_start_sample=margin + sps // 2, tsc=5, samples_per_symbol=sps, search_symbols=3.0)
    fast = equalize_normal_bursts(rows, **kw)
    reference()
    ref = equalize_normal_bursts(rows, **kw)
    assert np.array_equal(fast.sbits, ref.sbits) and np.array_equal(fast.ubits, ref.ubits)
    assert np.mean(fast.ubits != bits) < 0.02


def test_channelizer_compiled_equals_reference(monkeypatch):
    from sensor.dsp import channel_window as cw
    from sensor.dsp import channelizer as ch

    rng = np.random.default_rng(5)
    x = ((rng.standard_normal(400_000) + 1j * rng.standard_normal(400_000)) * 0.1).astype(np.complex64)
    for offsets in ([-1.05e6, -200e3, 0.0, 400e3, 1.0e6], [-800e3 + 37.0, 600e3 - 11.0]):  # whole bins and not
        plan = ch.plan_channelizer(2.4e6, offsets, samples_per_symbol=2, min_block=2400, overlap_factor=1)
        # some channels whole, the others in spans (the pairs path and its scatter)
        spans = [None if i % 2 else (np.array([5000, 30_000]), np.array([9000, 41_000])) for i in range(len(offsets))]
        for sp in (None, spans):
            fast = cw.channelize_all(
                plan, x, with_power=False, spans=sp, out=np.zeros((len(offsets), 200_000), np.complex64)
            ).samples.copy()
            monkeypatch.setattr(ch, "fill", lambda: None)
            monkeypatch.setattr(ch, "scatter", lambda: None)
            ref = cw.channelize_all(
                plan, x, with_power=False, spans=sp, out=np.zeros((len(offsets), 200_000), np.complex64)
            ).samples
            monkeypatch.undo()
            # Bit-identical where the block phases are exact (whole-bin grids); elsewhere numpy's SIMD
            # complex multiply may fuse multiply-adds: the two differ by float32 rounding only.
            np.testing.assert_allclose(fast, ref, rtol=0, atol=1e-6 * np.abs(ref).max())


def test_channel_estimate_compiled_equals_reference(monkeypatch):
    def late(s, rng):  # bursts early and late by up to 1.5 symbols, and a delayed path
        d = int(rng.integers(-3, 4))
        return np.roll(s, d) + 0.4 * np.roll(s, d + 3) * np.exp(1j * rng.uniform(0, 2 * np.pi))

    sps = 2
    _, rows, margin = _bursts(np.random.default_rng(13), 300, sps, 3, 0.3, late)
    kw = dict(burst_start_sample=margin + sps // 2, tsc=3, samples_per_symbol=sps, search_symbols=3.0)
    fast = chanest.estimate_normal_channel(rows, **kw)
    monkeypatch.setattr(chanest, "estimate_spaced", lambda: None)
    ref = chanest.estimate_normal_channel(rows, **kw)
    np.testing.assert_array_equal(fast.first_tap_sample, ref.first_tap_sample)
    assert len(set(ref.timing_offset_samples.tolist())) > 2  # the windows really moved
    for name in ("taps", "noise_var", "snr_db", "training_energy", "toa_samples"):
        np.testing.assert_allclose(getattr(fast, name), getattr(ref, name), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.slow
def test_the_whole_receiver_decodes_the_same_blocks_either_way(tmp_path, monkeypatch):
    from sensor.dsp import channelizer as ch
    from sensor.receiver.stream import StreamReceiver
    from sensor.sim.render import SceneRenderer
    from tests.sim.scenes import cell_toml, scene_from, scene_toml

    cells = [
        cell_toml(f"c{a}", a, (3 * i + 1) % 64, power_dbfs=-26.0 - 3 * i, cell_id=i, extra=f"start_fn = {i * 999}\n")
        for i, a in enumerate((58, 61, 62, 65))
    ]
    scene = scene_from(
        tmp_path,
        scene_toml(947.4e6, 2.4e6, cells, duration_s=2.5, noise_dbfs=-38.0, seed=9, receiver_extra="ppm = 13.0\n"),
    )
    blocks = list(SceneRenderer(scene).blocks(duration_s=2.5))

    def run():
        return {(b.arfcn, b.fn): (b.octets, b.n_corrected) for b in StreamReceiver().process(iter(blocks))}

    fast = run()
    monkeypatch.setattr(mlse, "forward_backward", lambda: None)
    monkeypatch.setattr(convolutional, "viterbi", lambda: None)
    monkeypatch.setattr(ch, "fill", lambda: None)
    monkeypatch.setattr(ch, "scatter", lambda: None)
    monkeypatch.setattr(chanest, "estimate_spaced", lambda: None)
    monkeypatch.setattr(mlse, "branch_metrics", lambda: None)
    assert run() == fast and len(fast) > 4 * 80  # noisy enough (SNR ~10 dB) that Viterbi corrects bits
    assert sum(n for _, n in fast.values()) > 0


def test_the_ahead_of_time_twins_load_without_numba(tmp_path):
    """Once built (here, or by any earlier process), a process loads the twins from their
    extension: numba is never imported, and they decode as the reference does."""
    import subprocess
    import sys

    from sensor.coding import viterbi_kernels

    if viterbi_kernels.viterbi() is None:
        pytest.skip("numba not usable here")
    code = (
        "import sys, numpy as np\n"
        "from sensor.coding.convolutional import GSM_K5, viterbi_decode\n"
        "x = np.sign(np.random.default_rng(1).standard_normal((5, 456))).astype(np.float32)\n"
        "viterbi_decode(x, GSM_K5)\n"
        "sys.exit(10 if 'numba' in sys.modules else 0)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if fastpath._extension("sensor.coding.viterbi_kernels") is None:  # no C compiler: the JIT twins
        pytest.skip("the ahead-of-time extension cannot be built here")
    assert p.returncode == 0, p.stderr


def test_an_argument_unlike_the_declared_signature_goes_to_the_jit_twin():
    """The extension trusts its arguments' types (a float64 array where float32 is declared would
    be read as garbage): the guard sends anything else to the just-in-time twin, same results."""
    from sensor.coding import viterbi_kernels

    checks = fastpath._arg_checks(viterbi_kernels.viterbi_signature)
    assert checks == [("float32", 2, True), ("int64", 3, True), ("float32", 2, True), None, None, None]
    assert fastpath._arg_checks("void(c8[:,::1], i8, c8[:,:,:])") == [
        ("complex64", 2, True),
        None,
        ("complex64", 3, False),
    ]
    rng = np.random.default_rng(3)
    u = rng.integers(0, 2, (20, 189)).astype(np.uint8)
    soft = (1.0 - 2.0 * conv_encode(u, GSM_K5).astype(np.float32)) + rng.normal(0, 0.5, (20, 378)).astype(np.float32)
    want = viterbi_decode(soft.astype(np.float32), GSM_K5)
    got = viterbi_decode(np.asfortranarray(soft.astype(np.float32)), GSM_K5)  # not C-contiguous
    assert np.array_equal(want.ubits, got.ubits)
    calls = []
    twin = fastpath._guarded(lambda *a: calls.append("aot"), "void(f4[::1])", lambda: lambda *a: calls.append("jit"))
    twin(np.zeros(3, np.float32))
    twin(np.zeros(3, np.float64))
    twin(np.zeros(6, np.float32)[::2])
    twin([0.0, 1.0])
    assert calls == ["aot", "jit", "jit", "jit"]
