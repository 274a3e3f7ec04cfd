"""The C0 generator: cached slots give exactly the continuous GMSK signal; the 51-multiframe."""

import numpy as np

from sensor.dsp.gmsk import GmskState, gmsk_modulate
from sensor.gsm.burst import DUMMY_BURST_UBITS, FCCH_BURST_UBITS
from sensor.l3.cell import CellParams
from sensor.l3.messages import parse_si
from sensor.sim.c0 import EMPTY_PAGING, FRAME_SAMPLES, SLOT_SYMBOLS, C0Config, C0Generator

PARAMS = CellParams(mcc="460", mnc="00", lac=1234, cell_id=77, arfcn=62, neighbours=(60, 64), gprs=True)


def test_frames_equal_continuous_modulation_of_the_same_bits():
    cfg = C0Config.from_params(21, PARAMS)
    n_frames = 60
    gen = C0Generator(cfg, first_fn=500)
    got = np.concatenate([gen.frame() for _ in range(n_frames)])
    ref_gen = C0Generator(cfg, first_fn=500)
    bits = []
    for fn in range(500, 500 + n_frames):
        ts0, _ = ref_gen.ts0_burst(fn)
        for burst, n in zip([ts0] + [DUMMY_BURST_UBITS] * 7, SLOT_SYMBOLS):
            bits.append(np.concatenate([burst, np.ones(n - 148, np.uint8)]))
    ref, _ = gmsk_modulate(
        np.concatenate(bits + [np.zeros(3, np.uint8)]), samples_per_symbol=4, state=GmskState(last_bit=1)
    )
    # Slot 0 starts half a symbol (2 samples) before the modulator's first sample time.
    x = got[2 : 2 + len(ref)]
    ref = ref[: len(x)]
    turn = (x * np.conj(ref))[20:]  # the reference starts without the guard bits before it
    assert np.ptp(np.angle(turn * np.conj(turn[0]))) < 1e-4
    assert len(got) == n_frames * FRAME_SAMPLES


def test_timeslot_zero_follows_the_51_multiframe():
    cfg = C0Config.from_params(21, PARAMS)
    gen = C0Generator(cfg, first_fn=51 * 8 * 10)
    base = 51 * 8 * 10
    assert np.array_equal(gen.ts0_burst(base + 0)[0], FCCH_BURST_UBITS)
    assert np.array_equal(gen.ts0_burst(base + 50)[0], DUMMY_BURST_UBITS)
    sch, cacheable = gen.ts0_burst(base + 1)
    assert not cacheable and not np.array_equal(sch, gen.ts0_burst(base + 11)[0])
    # TC = 2 and 6 carry SI3, TC = 3 and 7 SI4 (TS 45.002 §6.3.1.3).
    assert parse_si(cfg.bcch_frame(base + 51 * 2 + 2)).si_type.value == "3"
    assert parse_si(cfg.bcch_frame(base + 51 * 7 + 2)).si_type.value == "4"
    assert parse_si(cfg.bcch_frame(base + 51 * 1 + 2)).si_type.value == "2"


def test_samples_stream_across_frames_and_skip():
    cfg = C0Config.from_params(5, PARAMS)
    whole = C0Generator(cfg, first_fn=0).samples(3 * FRAME_SAMPLES)
    g = C0Generator(cfg, first_fn=0, skip_samples=1234)
    parts = np.concatenate([g.samples(777), g.samples(4000), g.samples(3000)])
    np.testing.assert_allclose(parts, whole[1234 : 1234 + len(parts)], atol=1e-6)
    assert EMPTY_PAGING.hex().startswith("15062100") and len(EMPTY_PAGING) == 23
