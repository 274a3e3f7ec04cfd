"""The bundled fake-station scenes against the independent tools: gr-gsm decodes every block the truth
lists on the fake's dedicated channels and CCCH octet for octet (``-m BCCH_SDCCH4 -t 0`` for the
SDCCH/4 catcher, ``-m SDCCH8 -t 1`` for the SDCCH/8 one), and tshark dissects what gr-gsm decoded
into the conversation the truth describes: the identity requests, the SMS sender and text (Chinese
UCS2, concatenated parts), the location updating reject and its cause."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sensor.frames.gsmtap import GsmtapChannel, GsmtapHeader
from sensor.frames.pcap import PcapWriter
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.sim.output import write_cfile
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic
from tests import grgsm
from tests.tshark import pdml

pytestmark = [pytest.mark.interop, pytest.mark.slow]

SCENES = Path(__file__).resolve().parents[2] / "recordings" / "scenes"
RATE = 1e6
SECONDS = 20.0
SYNC_FRAMES = 51 * 4  # gr-gsm needs its first multiframes to find the FCCH and SCH
TSHARK = shutil.which("tshark")
FAKE = "FAKE-street"


def _render(tmp_path: Path, name: str):
    scene = load_scene(SCENES / f"{name}.toml")
    fake = next(c for c in scene.cells if c.name == FAKE)
    fc = arfcn_to_downlink_hz(fake.arfcn)
    cfile = tmp_path / f"{name}.cfile"
    write_cfile(scene, cfile, center_hz=fc, sample_rate_hz=RATE, duration_s=SECONDS)
    traffic = scene_traffic(scene)
    return fake, fc, cfile, traffic


def _texts(pcap: Path) -> list[str]:
    """Each packet's SMS text, its parts joined (JSON output: PDML shortens long values)."""
    cmd = [TSHARK, "-n", "-r", str(pcap), "-T", "json", "-e", "gsm_sms.sms_text"]
    out = subprocess.run(cmd, capture_output=True, check=True, timeout=120, text=True).stdout
    layers = [p["_source"]["layers"] for p in json.loads(out or "[]")]
    return ["".join(layer["gsm_sms.sms_text"]) for layer in layers if "gsm_sms.sms_text" in layer]


@pytest.mark.parametrize(
    ("name", "mode", "tn"), [("fake-street-sdcch4", "BCCH_SDCCH4", 0), ("fake-street-sdcch8", "SDCCH8", 1)]
)
def test_grgsm_and_tshark_read_the_fake_stations_conversations(tmp_path, name, mode, tn):
    grgsm.require()
    fake, fc, cfile, traffic = _render(tmp_path, name)
    decoded = dict(grgsm.decode(cfile, sample_rate_hz=RATE, fc_hz=fc, tmp_dir=tmp_path, mode=mode, timeslot=tn))
    first, last = fake.start_fn + SYNC_FRAMES, fake.start_fn + int(SECONDS / 0.120 * 26) - 4
    expected = [
        b
        for b in traffic.traffic[FAKE].between(first, last - first)
        if b.tn == tn and not (b.channel == "CCCH" and mode == "SDCCH8")
    ]
    assert len(expected) > 300
    missing = [b for b in expected if decoded.get(b.first_fn) != b.octets]
    assert not missing, f"{len(missing)} of {len(expected)} blocks not as sent, e.g. FN {missing[0].first_fn}"
    truth = traffic.truth[FAKE]
    done = [s for s in truth["sessions"] if s["assignment_fn"] >= first and s["end_fn"] < last]
    assert len(done) >= 5, "fewer whole sessions inside the recording than the scene makes"
    sent = [m for m in truth["sms"] if m["session"] in {s["session"] for s in done}]
    assert any(m["parts"] > 1 and m["sender"] == "95588" for m in sent)  # Chinese UCS2 in two parts
    if TSHARK is None:
        pytest.skip("tshark not installed")
    sdcch = GsmtapChannel.SDCCH4 if tn == 0 else GsmtapChannel.SDCCH8
    for s in done:
        # one capture per session (tshark's LAPDm reassembly does not reset on a new SABM)
        pcap = tmp_path / f"session{s['session']}.pcap"
        blocks = sorted(
            (b for b in expected if b.session == s["session"] and b.channel == "SDCCH"), key=lambda b: b.first_fn
        )
        with PcapWriter(pcap) as w:
            for i, b in enumerate(blocks):
                header = GsmtapHeader(
                    arfcn=fake.arfcn, timeslot=tn, frame_number=b.first_fn, sub_type=sdcch, sub_slot=s["sub"]
                )
                w.write_gsmtap(decoded[b.first_fn], header, 1_700_000_000 + i * 0.235)
        packets = pdml(pcap)
        assert not any("_ws.malformed" in p for p in packets)
        mm = [n for p in packets for n in p.get("showname:gsm_a.dtap.msg_mm_type", [])]
        assert sum("Identity Request" in n for n in mm) == len(s["identity_requests"])
        assert any("Location Updating Reject" in n for n in mm)
        causes = [int(v, 0) for p in packets for v in p.get("gsm_a.dtap.rej_cause", [])]
        assert causes == [s["cause"]]
        texts = _texts(pcap)
        senders = {v for p in packets for v in p.get("gsm_sms.tp-oa", [])}
        sms = [m for m in truth["sms"] if m["session"] == s["session"]]
        # tshark shows each part's text, and at the last part all of them once it has them all
        assert all(m["text"] in texts for m in sms), (texts, [m["text"] for m in sms])
        assert senders == {m["sender"] for m in sms}
        parts = [int(v) for p in packets for v in p.get("gsm_sms.udh.mm.msg_parts", [])]
        assert parts == [m["parts"] for m in sms for _ in range(m["parts"]) if m["parts"] > 1]


def test_grgsm_reads_a_real_cells_sessions_only_up_to_the_ciphering_mode_command(tmp_path):
    """A real cell's sessions: assignment, UA, authentication and the Ciphering Mode Command decode;
    every block after it (A5/1 on the air) gives gr-gsm nothing, as on a real network."""
    grgsm.require()
    scene = load_scene(SCENES / "fake-among-ciphering.toml")
    real = next(c for c in scene.cells if c.name == "CM-Nanjing")
    assert real.sdcch8_timeslots == (1,)
    fc = arfcn_to_downlink_hz(real.arfcn)
    cfile = tmp_path / "real.cfile"
    write_cfile(scene, cfile, center_hz=fc, sample_rate_hz=RATE, duration_s=SECONDS)
    traffic = scene_traffic(scene)
    decoded = dict(grgsm.decode(cfile, sample_rate_hz=RATE, fc_hz=fc, tmp_dir=tmp_path, mode="SDCCH8", timeslot=1))
    first, last = real.start_fn + SYNC_FRAMES, real.start_fn + int(SECONDS / 0.120 * 26) - 4
    blocks = [b for b in traffic.traffic[real.name].between(first, last - first) if b.tn == 1]
    clear = [b for b in blocks if not b.ciphered]
    ciphered = [b for b in blocks if b.ciphered]
    assert len(clear) > 20 and len(ciphered) > 40
    assert all(decoded.get(b.first_fn) == b.octets for b in clear)
    assert not any(b.first_fn in decoded for b in ciphered)
