"""A hostile fake station and what it pushes, for the tests of everything that shows or writes SMS
text (the collector, the dashboard, exports, reports).

* :data:`HOSTILE_TEXT`: one SMS (UCS2, several parts) holding HTML that would run script
  (``<img onerror>``, ``</script>``), what breaks XML and KML (``]]>``, ``&``, a CDATA opener),
  rich console markup (``[bold]``), ANSI escapes and bidi overrides, spreadsheet formulas
  (``=HYPERLINK``, ``+cmd``, ``@SUM``), a link and a call-back number. It goes over the air:
  :func:`write_scene` writes a scene whose fake station pushes it to every phone it catches
  (``fbs-sensor simulate``, then ``replay``).
* :data:`LONG_TEXT`: 64 KiB (65,536 characters) of such text in the GSM 7-bit alphabet. No single
  SMS can carry it (TS 23.040: at most 255 parts of 153 characters, 39,015 characters), so the fake
  sends it as two concatenated messages (255 + 174 parts): :func:`long_sms_objects` builds every
  part's CP-DATA / RP-DATA / SMS-DELIVER octets and takes them back through the sensor's L3
  decoders, the SMS assembler and the analysis, as the tracker does after LAPDm.
* :func:`build_store`: simulate, replay, and hand the sensor's messages (the fake's cell, its
  detection, its sessions and SMS, the two long SMS) to the collector's intake as a sensor
  would; returns the database path and what the replay printed. A report's test can call it (or
  use ``tests/collector/test_hostile_sms.py``'s module fixture) to get a collector database full of
  hostile text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sensor.cli import cli
from sensor.collector.intake import Frame, Intake
from sensor.collector.sqlite_store import SqliteStore
from sensor.intel.enrich import analysed_sms
from sensor.l3.cp import CPData
from sensor.l3.dispatch import decode_l3
from sensor.l3.rp import RPAddress, RPDataToMS
from sensor.publish.envelope import encode, make_envelope
from sensor.sessions.sms import SmsAssembler
from sensor.sms.compose import compose_deliver
from sensor.sms.tpdu import SmsDeliver, decode_tpdu

SCENE_SOURCE = Path(__file__).resolve().parents[1] / "recordings" / "scenes" / "fake-street-sdcch8.toml"
FAKE_ARFCN, FAKE_BSIC, FAKE_HZ = 64, 17, 947.8e6
SENDER = "95588"
HOSTILE_TEXT = (
    '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>'
    "]]><![CDATA[ & &amp; &lt;b&gt; [bold]粗体[/bold] \x1b[31m红\x1b[0m \u202egnp.exe\u202c "
    '=HYPERLINK("http://evil.example/pay?a=1&b=2","点我") +cmd|\' /C calc\'!A0 @SUM(1+1) 致电 13800138000'
)
# GSM 7-bit default alphabet only: one septet per character
LONG_CHUNK = '<img src=x onerror="window.__pwned=3"></script>&amp; =HYPERLINK("http://evil.example/x") +cmd @SUM(1) '

LONG_TEXT = (LONG_CHUNK * (65_536 // len(LONG_CHUNK) + 1))[:65_536]
LONG_SPLIT = 255 * 153  # what the first of the two messages carries
START_UTC = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SENSOR = "car1"
POSITION = {"lat_deg": 31.2304, "lon_deg": 121.4737, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.2}


def write_scene(path: Path, duration_s: float) -> Path:
    """The street scene with its fake station pushing :data:`HOSTILE_TEXT` (only) for ``duration_s``."""
    text = SCENE_SOURCE.read_text(encoding="utf-8")
    head = text[: text.index("[[fakes.works.campaigns]]")]
    head = head.replace('name = "fake-street-sdcch8"', 'name = "hostile-street"')
    head = head.replace("duration_s = 20.0", f"duration_s = {duration_s}")
    template = json.dumps(HOSTILE_TEXT.replace("{", "{{").replace("}", "}}"))  # a TOML basic string
    path.write_text(
        head + f'[[fakes.works.campaigns]]\nname = "hostile"\nsender = "{SENDER}"\ntemplate = {template}\n',
        encoding="utf-8",
    )
    return path


def long_sms_objects() -> list[dict[str, Any]]:
    """:data:`LONG_TEXT` pushed as two concatenated messages, each part taken through the L3 path."""
    assembler = SmsAssembler(FAKE_ARFCN, FAKE_BSIC)
    records = []
    for reference, text in enumerate((LONG_TEXT[:LONG_SPLIT], LONG_TEXT[LONG_SPLIT:]), start=1):
        for i, tpdu in enumerate(compose_deliver(text, SENDER, scts=START_UTC, reference=reference)):
            rp = RPDataToMS(message_reference=i % 256, user_data=tpdu.to_bytes(),
                            originator_address=RPAddress(ton=1, npi=1, digits="8613800100500"))  # fmt: skip
            cp = decode_l3(CPData(user_data=rp.to_l2(), ti_value=0).to_l2())
            assert isinstance(cp, CPData)
            deliver = decode_tpdu(cp.rp().user_data, "mt")
            assert isinstance(deliver, SmsDeliver)
            records += assembler.add(deliver, session="long-1", phone="k1:00000000000000aa", t_s=30.0 + i)
    return [analysed_sms(r) for r in records]


def _replay(scene: Path, out: Path) -> list[dict[str, Any]]:
    r = CliRunner().invoke(cli, ["simulate", str(scene), "--out", str(out), "--center", str(FAKE_HZ), "--rate", "1e6"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["replay", "--json", str(out / "hostile-street.sigmf-meta")])
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.stdout.splitlines()]


def _published(obj: dict[str, Any], cell: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as the daemon publishes it: its UTC time, the sensor's position, the cell's identity."""
    t_s = obj.get("t_s") or 0.0
    t_utc = datetime.fromtimestamp(START_UTC.timestamp() + t_s, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    extra = {"t_utc": t_utc, "position": POSITION}
    if obj["type"] in ("session", "sms"):
        extra.update({k: cell[k] for k in ("mcc", "mnc", "lac", "cell_id")}, identities="keyed")
    return {**obj, **extra}


def build_store(tmp: Path, duration_s: float = 14.0) -> tuple[Path, list[dict[str, Any]], list[dict[str, Any]]]:
    """A collector database (SQLite) holding what a sensor published after replaying the hostile scene
    and receiving the two long SMS: (its path, the replay's objects, the long SMS objects)."""
    objects = _replay(write_scene(tmp / "hostile.toml", duration_s), tmp / "sim")
    long_sms = long_sms_objects()
    cell = next(o for o in objects if o["type"] == "cell" and o["arfcn"] == FAKE_ARFCN)
    kinds = {"cell": "observation", "detection": "detection", "session": "session", "sms": "sms"}
    mine = [o for o in objects if o["type"] in kinds and o["arfcn"] == FAKE_ARFCN] + long_sms
    frames = [
        Frame(b"car1", encode(make_envelope(kinds[o["type"]], _published(o, cell), sensor=SENSOR, seq=i)))
        for i, o in enumerate(mine)
    ]
    db = tmp / "collector.sqlite"
    with SqliteStore(db) as store:
        replies = Intake(store).handle(frames)
    assert sum(len(r.acked) for r in replies.values()) == len(frames), replies  # nothing refused
    return db, objects, long_sms
