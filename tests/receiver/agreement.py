"""gr-gsm and our receiver on the same rendering of a fake-station scene: the SDCCH/SACCH blocks each
decodes on the fake's dedicated timeslot (shared by tests/receiver/test_follow_grgsm.py and
bench/bench_grgsm_dedicated.py).

The scene (recordings/scenes/fake-street-sdcch8.toml or -sdcch4.toml: the fake on ARFCN 64 works a
phone a second) is rendered once, optionally with more noise or with the fake Rayleigh-faded (TU6).
Narrowband: a 1 Msps cf32 ``.cfile`` centred on the fake, which gr-gsm decodes (``-m SDCCH8 -t 1``
or ``-m BCCH_SDCCH4 -t 0``) and ``fbs-sensor replay --format cf32`` replays. Wideband: the scene's
own receiver (an RTL-SDR at 2.4 Msps, cu8, centred on ARFCN 62) as SigMF, which we replay; gr-gsm
gets the same samples as cf32, split by ``grgsm_channelize`` (to 1.2 Msps). gr-gsm prints every block of the
timeslot it is told (the FN of the block's first burst); our frames carry keyed pseudonyms in place of
phones' identities, so gr-gsm's octets are rewritten with the replay's own key before comparing.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from sensor.cli import cli
from sensor.gsm import multiframe
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.sessions.rewrite import rewrite_block
from sensor.sim.output import write_cfile, write_sigmf
from sensor.sim.scene import load_scene
from tests import grgsm

SCENES = Path(__file__).resolve().parents[2] / "recordings" / "scenes"
FAKE_ARFCN = 64
FAKE_HZ = 947.8e6
RATE_HZ = 1e6
# gr-gsm's mode and timeslot for each scene's dedicated channels
MODES = {"fake-street-sdcch8": ("SDCCH8", 1), "fake-street-sdcch4": ("BCCH_SDCCH4", 0)}


@dataclass(frozen=True)
class Agreement:
    """SDCCH/SACCH blocks on the fake's dedicated timeslot: FN of the first burst → 23 octets."""

    grgsm: dict[int, bytes]  # as gr-gsm printed them, identities rewritten to the replay's pseudonyms
    ours: dict[int, bytes]  # our blocks that passed their Fire code
    snr_db: float | None  # the fake's SNR as our receiver measured it

    @property
    def missing(self) -> list[int]:
        """FNs of blocks gr-gsm decoded that we did not, or not to the same octets."""
        return sorted(fn for fn, octets in self.grgsm.items() if self.ours.get(fn) != octets)


def _channel(fn: int, tn: int) -> str | None:
    """SDCCH, SACCH (or BCCH, CCCH on a combined TS0) for a block starting at ``fn``; None elsewhere."""
    if tn == 0:
        block = multiframe.block_starting_at(fn, combined=True)
        return None if block is None else block.channel.value
    use = multiframe.sdcch8_frame_use(fn % 51)
    return use.channel.value if use.burst == 0 else None


def scene_for(name: str, *, noise_dbfs: float | None = None, doppler_hz: float | None = None):
    """The bundled scene, with the receiver's noise raised and the fake faded (TU6) when asked."""
    scene = load_scene(SCENES / f"{name}.toml")
    if noise_dbfs is not None:
        scene = dataclasses.replace(scene, receiver=dataclasses.replace(scene.receiver, noise_dbfs=noise_dbfs))
    if doppler_hz is not None:
        cells = [
            dataclasses.replace(c, multipath="tu", doppler_hz=doppler_hz) if c.arfcn == FAKE_ARFCN else c
            for c in scene.cells
        ]
        scene = dataclasses.replace(scene, cells=cells)
    return scene


def _replay(args: list[str], key: Path) -> list[dict]:
    r = CliRunner().invoke(cli, ["replay", "--json", "--blocks", *args], env={"FBS_SENSOR_IDENTITY_KEY": str(key)})
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def agreement(
    name: str,
    tmp_dir: Path,
    *,
    noise_dbfs: float | None = None,
    doppler_hz: float | None = None,
    duration_s: float = 12.0,
    wideband: bool = False,
) -> Agreement:
    """Render scene ``name`` once; decode it with gr-gsm (told the channel) and with our replay."""
    grgsm.require()
    mode, tn = MODES[name]
    scene = scene_for(name, noise_dbfs=noise_dbfs, doppler_hz=doppler_hz)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    key = tmp_dir / "identity.key"
    if wideband:
        w = write_sigmf(scene, tmp_dir / name, duration_s=duration_s, overwrite=True)
        rx = scene.receiver
        iq = np.fromfile(w.meta_path.with_suffix(".sigmf-data"), np.uint8).astype(np.float32)
        wide = tmp_dir / "wide.cfile"
        ((iq - 127.5) / 127.5).view(np.complex64).tofile(wide)  # cu8 → cf32, the same samples
        rate_hz = rx.sample_rate_hz / 2  # grgsm_channelize decimates by an integer: 1.2 Msps
        cfile = grgsm.channelize(
            wide,
            sample_rate_hz=rx.sample_rate_hz,
            fc_hz=rx.center_hz,
            arfcns=[FAKE_ARFCN],
            out_dir=tmp_dir / "ch",
            out_rate_hz=rate_hz,
        )[FAKE_ARFCN]
        objs = _replay([str(w.meta_path)], key)
    else:
        cfile, rate_hz = tmp_dir / f"{name}.cfile", RATE_HZ
        write_cfile(scene, cfile, center_hz=FAKE_HZ, sample_rate_hz=RATE_HZ, duration_s=duration_s)
        objs = _replay(["--format", "cf32", "--rate", str(RATE_HZ), "--center", str(FAKE_HZ), str(cfile)], key)
    theirs = grgsm.decode(cfile, sample_rate_hz=rate_hz, fc_hz=FAKE_HZ, tmp_dir=tmp_dir, mode=mode, timeslot=tn)
    names = Pseudonymizer(path=key)  # the replay's own key: its frames carry its pseudonyms
    dedicated = {}
    for fn, octets in theirs:
        channel = _channel(fn, tn)
        if channel in ("SDCCH", "SACCH"):
            dedicated[fn] = rewrite_block(octets, channel, names)
    ours = {
        o["fn"]: bytes.fromhex(o["l2"])
        for o in objs
        if o["type"] == "block"
        and o["arfcn"] == FAKE_ARFCN
        and o["tn"] == tn
        and o["crc_ok"]
        and o["channel"] in ("SDCCH", "SACCH")
    }
    cell = next((o for o in objs if o["type"] == "cell" and o["arfcn"] == FAKE_ARFCN), None)
    return Agreement(dedicated, ours, None if cell is None else cell["snr_db"])
