"""gr-gsm against our receiver on a fake station's dedicated channels, from clean to noisy and faded.

    python bench/bench_grgsm_dedicated.py [--seconds 12]

Each case renders a bundled fake-street scene once (a 1 Msps cf32 file centred on the fake, ARFCN
64, working a phone a second) with the receiver's noise raised (``noise_dbfs`` in 270.833 kHz; the
fake arrives at about -34 dBFS on SDCCH/8, -29 dBFS on SDCCH/4) or the fake Rayleigh-faded (TU6 at
``doppler_hz``), then decodes it with gr-gsm told the channel (``grgsm_decode -m SDCCH8 -t 1`` or
``-m BCCH_SDCCH4 -t 0``) and with ``fbs-sensor replay`` finding it by itself. Prints one JSON line
per case: the SDCCH/SACCH blocks each decoded on the fake's dedicated timeslot, how many of gr-gsm's
we did not (``missed``: the figure that must be 0), and the fake's SNR as our receiver measured it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.receiver.agreement import agreement

# (scene, noise_dbfs or None for the scene's, TU6 doppler_hz or None)
CASES = (
    ("fake-street-sdcch8", None, None),
    ("fake-street-sdcch8", -44.0, None),
    ("fake-street-sdcch8", -42.0, None),
    ("fake-street-sdcch8", -40.0, None),
    ("fake-street-sdcch8", -38.0, None),
    ("fake-street-sdcch8", -50.0, 10.0),
    ("fake-street-sdcch8", -46.0, 10.0),
    ("fake-street-sdcch4", None, None),
    ("fake-street-sdcch4", -38.0, None),
    ("fake-street-sdcch4", -36.0, None),
    ("fake-street-sdcch4", -34.0, None),
    ("fake-street-sdcch4", -46.0, 10.0),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=12.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (scene, noise, doppler) in enumerate(CASES):
            t0 = time.perf_counter()
            a = agreement(scene, Path(tmp) / str(i), noise_dbfs=noise, doppler_hz=doppler, duration_s=args.seconds)
            row = {
                "scene": scene,
                "noise_dbfs": noise,
                "tu6_doppler_hz": doppler,
                "snr_db": a.snr_db,
                "grgsm_blocks": len(a.grgsm),
                "our_blocks": len(a.ours),
                "missed": len(a.missing),
                "wall_s": round(time.perf_counter() - t0, 1),
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
