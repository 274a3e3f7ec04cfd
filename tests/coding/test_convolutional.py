"""The K=5 rate-1/2 code of TS 45.003 §4.1.3 and the batched soft Viterbi decoder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.coding.convolutional import GSM_K5, ConvCode, conv_encode, viterbi_decode
from sensor.coding.softbits import ubits_to_sbits


def test_impulse_response_is_the_spec_polynomials():
    # G0 = 1 + D^3 + D^4 → 1,0,0,1,1 ; G1 = 1 + D + D^3 + D^4 → 1,1,0,1,1
    c = conv_encode(np.array([1, 0, 0, 0, 0, 0], np.uint8)).reshape(-1, 2)
    assert c[:, 0].tolist() == [1, 0, 0, 1, 1, 0]
    assert c[:, 1].tolist() == [1, 1, 0, 1, 1, 0]


def test_encoder_matches_the_spec_equations():
    rng = np.random.default_rng(5)
    u = rng.integers(0, 2, (3, 60), dtype=np.uint8)
    c = conv_encode(u)

    def at(row, k):
        return int(u[row, k]) if k >= 0 else 0

    for row in range(3):
        for k in range(60):
            assert c[row, 2 * k] == at(row, k) ^ at(row, k - 3) ^ at(row, k - 4)
            assert c[row, 2 * k + 1] == at(row, k) ^ at(row, k - 1) ^ at(row, k - 3) ^ at(row, k - 4)


def _reference_viterbi(sbits: np.ndarray, code: ConvCode, terminated: bool) -> np.ndarray:
    """A plain, one-block, state-by-state Viterbi decoder, written independently of the batched one."""
    m = code.memory
    n = len(code.generators)
    steps = len(sbits) // n
    neg = -np.inf
    metric = {s: (0.0 if s == 0 else neg) for s in range(1 << m)}
    paths: dict[int, list[int]] = {s: [] for s in range(1 << m)}
    for t in range(steps):
        new_metric = dict.fromkeys(range(1 << m), neg)
        new_paths: dict[int, list[int]] = {}
        for s in range(1 << m):
            if metric[s] == neg:
                continue
            past = [(s >> (m - 1 - i)) & 1 for i in range(m)]  # u(k−1) … u(k−m)
            for b in (0, 1):
                window = [b] + past  # u(k), u(k−1), …
                score = metric[s]
                for i, g in enumerate(code.generators):
                    out = 0
                    for d in range(m + 1):
                        if (g >> d) & 1:
                            out ^= window[d]
                    score += float(sbits[n * t + i]) * (1 - 2 * out)
                ns = (b << (m - 1)) | (s >> 1)
                if score > new_metric[ns]:
                    new_metric[ns] = score
                    new_paths[ns] = paths[s] + [b]
        metric = new_metric
        paths = {s: new_paths.get(s, []) for s in range(1 << m)}
    end = 0 if terminated else max(metric, key=lambda s: metric[s])
    return np.array(paths[end], np.uint8)


@pytest.mark.parametrize("terminated", [True, False])
def test_batched_decoder_agrees_with_a_plain_reference_decoder_on_noisy_blocks(terminated):
    rng = np.random.default_rng(11)
    n_blocks, k = 40, 36
    u = rng.integers(0, 2, (n_blocks, k), dtype=np.uint8)
    if terminated:
        u[:, -4:] = 0
    x = ubits_to_sbits(conv_encode(u)) + rng.normal(0, 0.9, (n_blocks, 2 * k)).astype(np.float32)
    got = viterbi_decode(x, terminated=terminated).ubits
    for i in range(n_blocks):
        ref = _reference_viterbi(x[i], GSM_K5, terminated)
        assert np.array_equal(got[i], ref), f"block {i}"


def test_batch_equals_blocks_one_by_one():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (17, 100)).astype(np.float32)
    batch = viterbi_decode(x)
    for i in range(17):
        single = viterbi_decode(x[i])
        assert np.array_equal(single.ubits[0], batch.ubits[i])
        assert single.n_corrected[0] == batch.n_corrected[i]


@settings(max_examples=200, deadline=None)
@given(
    bits=st.lists(st.integers(0, 1), min_size=20, max_size=120),
    flips=st.lists(st.integers(0, 10_000), max_size=3, unique=True),
)
def test_up_to_three_flipped_bits_are_corrected_and_counted(bits, flips):
    # the terminated code's minimum distance is the free distance 7, so any 3 errors are corrected
    u = np.array(bits + [0, 0, 0, 0], np.uint8)
    x = ubits_to_sbits(conv_encode(u))
    positions = sorted({f % x.size for f in flips})
    x[positions] *= -1
    res = viterbi_decode(x)
    assert np.array_equal(res.ubits[0], u)
    assert res.n_corrected[0] == len(positions)


def test_erasures_are_not_counted_and_do_not_hurt_a_clean_block():
    rng = np.random.default_rng(8)
    u = np.concatenate((rng.integers(0, 2, 224, dtype=np.uint8), np.zeros(4, np.uint8)))
    x = ubits_to_sbits(conv_encode(u))
    x[::4] = 0.0  # erase a quarter of the coded bits
    res = viterbi_decode(x)
    assert np.array_equal(res.ubits[0], u)
    assert res.n_corrected[0] == 0


def test_soft_magnitudes_matter():
    """Eight consecutive wrong coded bits defeat a hard-decision decoder; marked unreliable
    (small magnitude) they cannot outweigh one reliable bit, so the soft decoder recovers."""
    rng = np.random.default_rng(21)
    u = np.concatenate((rng.integers(0, 2, 60, dtype=np.uint8), np.zeros(4, np.uint8)))
    x = ubits_to_sbits(conv_encode(u))
    wrong = np.arange(40, 48)
    x[wrong] *= -1
    hard = viterbi_decode(x)
    assert not np.array_equal(hard.ubits[0], u)
    x[wrong] *= 0.1
    soft = viterbi_decode(x)
    assert np.array_equal(soft.ubits[0], u)
    assert soft.n_corrected[0] == len(wrong)


def test_input_validation():
    with pytest.raises(ValueError):
        viterbi_decode(np.zeros((2, 7), np.float32))
    with pytest.raises(ValueError):
        viterbi_decode(np.zeros((2, 2, 8), np.float32))


def test_chunked_batches_equal_one_batch():
    rng = np.random.default_rng(12)
    x = rng.normal(0, 1, (23, 60)).astype(np.float32)
    whole = viterbi_decode(x)
    chunked = viterbi_decode(x, chunk_blocks=5)
    assert np.array_equal(whole.ubits, chunked.ubits) and np.array_equal(whole.n_corrected, chunked.n_corrected)
