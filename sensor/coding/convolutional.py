"""Feed-forward convolutional codes and a batched soft-decision Viterbi decoder (TS 45.003 §4.1.3).

The xCCH/SCH/RACH code is the rate-1/2, constraint-length-5 code

    G0 = 1 + D^3 + D^4        c(2k)   = u(k) + u(k−3) + u(k−4)
    G1 = 1 + D + D^3 + D^4    c(2k+1) = u(k) + u(k−1) + u(k−3) + u(k−4)

(``GSM_K5``). The encoder starts in the all-zero state; the blocks of TS 45.003 end with 4 zero
tail bits, so the decoder also ends in state 0 (``terminated=True``).

The decoder processes a batch of blocks at once: every step of the trellis is a handful of numpy
operations on a (states × blocks) array, so the per-step interpreter cost is shared by the batch.
Soft input follows ``sensor.coding.softbits`` (positive → 0, negative → 1, 0 = erasure); the path
metric is the correlation Σ sbit × (1 − 2 × coded bit), maximised.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .viterbi_kernels import viterbi


@dataclass(frozen=True)
class ConvCode:
    """A rate-1/n feed-forward convolutional code.

    ``generators`` are the polynomials as integers, bit i = coefficient of D^i (so 1 + D^3 + D^4
    is 0b11001); ``memory`` is the constraint length − 1.
    """

    generators: tuple[int, ...]
    memory: int
    clause: str = ""

    @property
    def rate_inverse(self) -> int:
        return len(self.generators)

    @property
    def n_states(self) -> int:
        return 1 << self.memory

    @cached_property
    def _trellis(self) -> tuple[np.ndarray, np.ndarray]:
        """State s holds the last ``memory`` inputs, newest in the top bit:
        s = u(k−1)·2^(m−1) + … + u(k−m). Input b moves s to s' = b·2^(m−1) + (s >> 1), so the two
        predecessors of s' are 2r and 2r+1 with r = s' mod 2^(m−1).

        Returns ``combo[r, j, b]``: the index of the coded output word (bit i = output of generator
        i) of the transition from state 2r+j with input b; and ``signs[c, i]`` = 1 − 2·(bit i of c).
        """
        m = self.memory
        half = 1 << (m - 1)
        combo = np.zeros((half, 2, 2), dtype=np.intp)
        for r in range(half):
            for j in range(2):
                s = 2 * r + j
                for b in range(2):
                    reg = (b << m) | s  # bit m: u(k); bit m−1−i: u(k−1−i)
                    word = 0
                    for i, g in enumerate(self.generators):
                        out = 0
                        for d in range(m + 1):  # coefficient of D^d multiplies u(k−d)
                            if (g >> d) & 1:
                                out ^= (reg >> (m - d)) & 1
                        word |= out << i
                    combo[r, j, b] = word
        n = self.rate_inverse
        signs = np.array([[1 - 2 * ((c >> i) & 1) for i in range(n)] for c in range(1 << n)], dtype=np.float32)
        return combo, signs


# TS 45.003 §4.1.3 (used by xCCH §4.1, SCH §4.7, RACH §4.6, and others)
GSM_K5 = ConvCode(generators=(0b11001, 0b11011), memory=4, clause="TS 45.003 §4.1.3")


def conv_encode(ubits: np.ndarray, code: ConvCode = GSM_K5) -> np.ndarray:
    """Encode blocks (N, K) of ubits, starting from the zero state → (N, n·K) uint8, outputs interleaved
    per input bit (c(n·k + i) = output of generator i at step k). A 1-D input is one block."""
    u = np.asarray(ubits, dtype=np.uint8)
    squeeze = u.ndim == 1
    u = np.atleast_2d(u)
    n_blocks, k_len = u.shape
    m = code.memory
    padded = np.concatenate((np.zeros((n_blocks, m), dtype=np.uint8), u), axis=1)
    out = np.zeros((n_blocks, k_len, code.rate_inverse), dtype=np.uint8)
    for i, g in enumerate(code.generators):
        acc = np.zeros((n_blocks, k_len), dtype=np.uint8)
        for d in range(m + 1):
            if (g >> d) & 1:
                acc ^= padded[:, m - d : m - d + k_len]
        out[:, :, i] = acc
    out = out.reshape(n_blocks, k_len * code.rate_inverse)
    return out[0] if squeeze else out


@dataclass(frozen=True, slots=True, eq=False)
class ViterbiResult:
    """``ubits`` (N, K): decoded input bits, tail included; ``n_corrected`` (N,): coded bits whose
    hard decision disagrees with the re-encoded decision (erasures not counted)."""

    ubits: np.ndarray
    n_corrected: np.ndarray


_MINUS_INF = np.float32(-1e30)


def viterbi_decode(
    sbits: np.ndarray, code: ConvCode = GSM_K5, *, terminated: bool = True, chunk_blocks: int = 4096
) -> ViterbiResult:
    """Maximum-likelihood decoding of blocks of soft coded bits (N, n·K) → K input bits per block.

    The path starts in state 0; with ``terminated`` it must end in state 0 (the code's tail bits
    are zero), otherwise the best final state is taken. A 1-D input is one block (results still
    have a leading batch axis of 1). Batches larger than ``chunk_blocks`` are decoded in chunks,
    which bounds the memory of the survivor decisions (K × 2^memory bytes per block).
    """
    x = np.asarray(sbits, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise ValueError(f"sbits must be 1-D or 2-D (blocks × bits), got shape {x.shape}")
    n = code.rate_inverse
    if x.shape[1] % n:
        raise ValueError(f"{x.shape[1]} coded bits is not a multiple of {n}")
    if x.shape[0] > chunk_blocks:
        parts = [_viterbi_chunk(x[i : i + chunk_blocks], code, terminated) for i in range(0, x.shape[0], chunk_blocks)]
        return ViterbiResult(np.concatenate([p.ubits for p in parts]), np.concatenate([p.n_corrected for p in parts]))
    return _viterbi_chunk(x, code, terminated)


def _viterbi_chunk(x: np.ndarray, code: ConvCode, terminated: bool) -> ViterbiResult:
    n_blocks, n_coded = x.shape
    n = code.rate_inverse
    steps = n_coded // n
    combo, signs = code._trellis
    half = combo.shape[0]
    n_states = 2 * half

    kernel = viterbi()  # the compiled twin of the loops below, when numba is there
    if kernel is not None:
        out = kernel(np.ascontiguousarray(x), combo, np.ascontiguousarray(signs, np.float32), n, terminated, _MINUS_INF)
        return _with_corrections(x, out, code)
    # Branch metrics of every output word at every step: (steps, 2^n, N)
    xt = x.reshape(n_blocks, steps, n).transpose(1, 2, 0)  # (steps, n, N)
    branch = np.zeros((steps, 1 << n, n_blocks), dtype=np.float32)
    for i in range(n):
        branch += signs[None, :, i, None] * xt[:, i, None, :]

    metric = np.full((n_states, n_blocks), _MINUS_INF, dtype=np.float32)
    metric[0] = 0.0
    metric_next = np.empty((2, half, n_blocks), dtype=np.float32)
    decisions = np.empty((steps, 2, half, n_blocks), dtype=bool)  # [t, b, r]: state b·half + r
    cand = np.empty((half, 2, 2, n_blocks), dtype=np.float32)  # [r, j, b]
    next_view = metric_next.transpose(1, 0, 2)  # [r, b]
    for t in range(steps):
        np.take(branch[t], combo, axis=0, out=cand)
        cand += metric.reshape(half, 2, 1, n_blocks)
        np.greater(cand[:, 1], cand[:, 0], out=decisions[t].transpose(1, 0, 2))
        np.maximum(cand[:, 0], cand[:, 1], out=next_view)
        metric, metric_next = metric_next.reshape(n_states, n_blocks), metric.reshape(2, half, n_blocks)
        next_view = metric_next.transpose(1, 0, 2)

    cols = np.arange(n_blocks)
    state = np.zeros(n_blocks, dtype=np.intp) if terminated else np.argmax(metric, axis=0)
    flat = decisions.reshape(steps, n_states, n_blocks)
    top = code.memory - 1
    out = np.empty((n_blocks, steps), dtype=np.uint8)
    for t in range(steps - 1, -1, -1):
        out[:, t] = state >> top
        state = ((state & (half - 1)) << 1) | flat[t, state, cols]

    return _with_corrections(x, out, code)


def _with_corrections(x: np.ndarray, out: np.ndarray, code: ConvCode) -> ViterbiResult:
    reencoded = conv_encode(out, code)
    hard = x < 0
    n_corrected = np.count_nonzero((hard != reencoded.astype(bool)) & (x != 0), axis=1).astype(np.int32)
    return ViterbiResult(out, n_corrected)
