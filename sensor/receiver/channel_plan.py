"""The receiver's channelizer for a stretch: its plan (block length, centre grid, response) and the
buffers kept from one stretch to the next (``Workspace``).

``channel_plan`` picks the block length with the least FFT work for the carriers wanted whole and
those tracked (wanted around their timeslots only); ``centre_grid_hz`` is the grid channel streams
are centred on (whole bins of every block length it may pick); ``Workspace`` holds the channel
streams' rows, the channelizer's padded input (where ``stream.py`` assembles each stretch, so the
channelizer need not copy it) and grows them to the most needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from sensor.dsp.channelizer import ChannelizerPlan, plan_channelizer
from sensor.dsp.fftsize import is_fast_fft_length
from sensor.dsp.prefilter import prefilter_taps
from sensor.gsm.burst import FRAME_SYMBOLS
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.receiver.channel import TRACKED_SPAN_SYMBOLS

SPS = 2
# Channel streams held at once (a tracked carrier's counted by the pieces of blocks around its
# spans, ~15 % of its stream): carriers beyond it are channelized a group at a time, and each group
# transforms the window again. At 20 Msps with 60 carriers a window of 1.1 s: the first after a
# search (streams wanted whole, 4.5 MB each) 4 groups; tracked ones 1 group of 42 MB + one stream.
STREAMS_MAX_BYTES = 64 << 20
PADDED = "padded"  # the Workspace buffer of the channelizer's padded input
ROWS = "rows"  # the Workspace buffer of the channel streams
ROWS_AHEAD = "rows ahead"  # its second place: the next group of streams, made on another thread
FRAME_S = FRAME_SYMBOLS / SYMBOL_RATE_HZ
TRACKED_SPAN_S = TRACKED_SPAN_SYMBOLS / SYMBOL_RATE_HZ
KEPT_HALF_WIDTH_HZ = 220e3  # channel streams: bins kept to ±this (the receive low-pass is ~−75 dB there)

# Channel streams are centred on whole bins of every block length the receiver may choose (so no
# stream needs a rotation of its samples): block lengths are multiples of a base of about 1 ms,
# and centres multiples of the base's bin, ≤ CENTRE_GRID_MAX_HZ.
CENTRE_GRID_MAX_HZ = 1e3
BLOCK_MULTIPLES = (1, 2, 3, 4, 6, 8, 12, 16)
# One core of this project's machines (pocketfft, complex64, in batches): ~0.26 ns·n·log2(n) + 1 µs
# per transform, twice that per n·log2(n) beyond CACHED_FFT (out of the cache), and ~1 ns per kept
# bin to fill a channel's spectrum. Only their ratios matter here.
CACHED_FFT = 1 << 15
FFT_S_PER_NLOGN = 0.26e-9
FFT_S_EACH = 1e-6
FILL_S_PER_BIN = 1e-9


def _fft_s(n: int) -> float:
    return FFT_S_PER_NLOGN * (1 if n <= CACHED_FFT else 2) * n * float(np.log2(n)) + FFT_S_EACH


def _plan(sample_rate_hz: float, centres_hz: Sequence[float], min_block: int) -> ChannelizerPlan:
    return plan_channelizer(
        sample_rate_hz,
        list(centres_hz),
        samples_per_symbol=SPS,
        shape_taps=prefilter_taps(SPS),
        stopband_hz=KEPT_HALF_WIDTH_HZ,
        overlap_factor=1,
        min_block=min_block,
    )


@lru_cache(maxsize=64)
def _base_block(sample_rate_hz: float) -> int:
    """The base block length (input samples): the rate ratio's denominator q times the smallest
    FFT-friendly M with a bin of ≤ CENTRE_GRID_MAX_HZ."""
    q = _plan(sample_rate_hz, [0.0], 1).rate_ratio.denominator
    m = max(1, int(np.ceil(sample_rate_hz / (q * CENTRE_GRID_MAX_HZ))))
    while not is_fast_fft_length(m):
        m += 1
    return q * m


def centre_grid_hz(sample_rate_hz: float) -> float:
    """The grid channel streams are centred on (whole bins of every block length ``channel_plan`` picks)."""
    return sample_rate_hz / _base_block(sample_rate_hz)


@lru_cache(maxsize=64)
def _lead(sample_rate_hz: float) -> int:
    """The zeros the receiver's channelizer pads a stretch with at its start: half its overlap,
    which the rate and the response fix (every block length ``channel_plan`` picks has it)."""
    return _plan(sample_rate_hz, [0.0], _base_block(sample_rate_hz)).overlap_in // 2


@lru_cache(maxsize=256)
def _block_for(sample_rate_hz: float, n_ch: int, tracked: int) -> int:
    base = _base_block(sample_rate_hz)

    def cost(p: ChannelizerPlan) -> float:  # seconds per second of signal, roughly
        hop_s = p.hop_out / p.out_rate_hz
        share = min(1.0, (TRACKED_SPAN_S + hop_s) / FRAME_S)  # of the blocks a tracked channel needs
        forward = p.in_rate_hz / p.hop_in * _fft_s(p.n_in)
        each = _fft_s(p.n_out) + FILL_S_PER_BIN * (2 * p.k_max + 1)
        inverse = p.out_rate_hz / p.hop_out * each * ((n_ch - tracked) + tracked * share)
        return forward + inverse

    plans = [_plan(sample_rate_hz, [0.0], base * j) for j in BLOCK_MULTIPLES]
    return min([p for p in plans if p.n_in % base == 0 and p.hop_in > 0], key=cost).n_in


def channel_plan(sample_rate_hz: float, centres_hz: Sequence[float], tracked: int = 0) -> ChannelizerPlan:
    """The channelizer of the receiver: SPS samples per symbol, the equaliser's receive low-pass
    (``prefilter.prefilter_taps``) as its response, so the streams need no filtering after it.

    Its block length is the one with the least FFT work (``_fft_s``) for the channels wanted
    whole and the last ``tracked`` of ``centres_hz``, wanted around timeslot 0 only
    (``tracked_spans``: ~15 % of a frame): short blocks then spare most inverse transforms, at the
    price of more overlap in the forward ones. Centres on ``centre_grid_hz`` are whole bins."""
    return _plan(sample_rate_hz, centres_hz, _block_for(float(sample_rate_hz), len(centres_hz), tracked))


class Workspace:
    """Buffers kept from one stretch to the next and grown to the most needed — the channel
    streams, the channelizer's padded input, a stream's window — since fresh memory for every
    stretch would cost its page faults (at 20 Msps ~0.1 s a window)."""

    def __init__(self) -> None:
        self._flat: dict[str, np.ndarray] = {}

    def rows(self, n_rows: int, n_samples: int) -> np.ndarray:
        """``n_rows`` channel streams of ``n_samples``, or rows of the pieces of them
        ``channelize_groups`` stores (contents unspecified), one block of memory reused for any
        shape that fits in it: a recording's last, short, window asks for all its
        carriers at once (60 rows of 0.1 s at 20 Msps), which as rows of the widest window seen
        took a 341 MB buffer (and 26 MB of it touched) on top of the streams' 96 MB."""
        return self.flat(ROWS, n_rows * n_samples).reshape(n_rows, n_samples)

    def drop_rows(self) -> None:
        """Let go of the channel streams' buffer (made again by the next ``rows``): before a
        search, whose work arrays would otherwise come on top of it (at 20 Msps up to 96 MB of
        streams and ~90 MB of the search's spectra and candidate streams)."""
        self._flat.pop(ROWS, None)
        self._flat.pop(ROWS_AHEAD, None)

    def rows_ahead(self, n_rows: int, n_samples: int) -> np.ndarray:
        """As ``rows``, a second place: for the group of streams made while the one in ``rows`` is
        decoded (``channelize_groups``)."""
        return self.flat(ROWS_AHEAD, n_rows * n_samples).reshape(n_rows, n_samples)

    def flat(self, name: str, n_samples: int) -> np.ndarray:
        """A complex64 buffer of ``n_samples`` (contents unspecified), one per ``name``."""
        buf = self._flat.get(name)
        if buf is None or len(buf) < n_samples:
            buf = self._flat[name] = np.empty(n_samples + n_samples // 4, np.complex64)
        return buf[:n_samples]

    def padded(self) -> np.ndarray | None:
        """The whole buffer ``stretch`` assembles stretches in (None before the first)."""
        return self._flat.get(PADDED)

    def stretch(self, sample_rate_hz: float, n_samples: int) -> np.ndarray:
        """Where to assemble a stretch of ``n_samples`` (contents unspecified): inside the
        channelizer's padded input, at the offset ``receive_wideband``'s channelizer pads it to,
        so the channelizer finds it in place and need not copy it."""
        lead = _lead(float(sample_rate_hz))
        room = lead + n_samples + 2 * _base_block(float(sample_rate_hz)) * max(BLOCK_MULTIPLES)  # ≥ any plan's padding
        return self.flat(PADDED, room)[lead : lead + n_samples]
