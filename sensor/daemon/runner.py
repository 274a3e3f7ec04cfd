"""The sensor daemon: scan for ever, judge, publish, survive.

Loop: one tuning visit at a time (``scan/scheduler.py``); after each, the cells it heard are judged
against everything heard in the last pass (``ScanSession.judge``) and published through the
durable outbox — an ``observation`` per cell with this visit's own power and position (a reading
for localisation), a ``detection`` per suspicious or fake cell, whose tuning is then revisited
often and whose carrier the scanner then stakes out while it works phones (``--watch`` pins
carriers whatever their verdict; the scheduler's budget keeps the rest of the band revisited), and
a ``session`` per phone session closed and an ``sms`` per short message completed on the carriers'
dedicated channels (``daemon/phones.py``; sessions still open at shutdown or when the receiver is
lost are published as incomplete). A status line and the metrics file are refreshed every
``status_every_s``, between visits and after every window of a long one (``stakeout ARFCN N``
while one runs). Phones' identities are keyed hashes unless ``keep_identities``
(``--keep-identities``), which the published bodies, the status line and the link's heartbeats say.

It never exits on its own: a receiver that is unplugged (``SourceError``) is reopened with
exponential backoff (1 s doubling to 30 s), a lost GPS only means positions are None, an
unreachable collector only fills the outbox (the link reconnects by itself), a full disk is
logged and counted. SIGTERM/SIGINT stop it cleanly (the outbox is flushed within a deadline);
SIGHUP reloads the rules and the baseline. ``duration_s`` bounds a run: radio time for the
simulator (which runs faster than real time), wall time for a real receiver.

Honest status (``daemon/coverage.py``): the status line, a ``status`` message to the collector at
the end of every pass, on a lost receiver and at shutdown, and the end summary say how much of the
band and of the time was received; a receiver that was never there is "NO RECEIVER, nothing scanned
yet", one that went away "RECEIVER LOST", and the simulated drive's end "the simulated drive ended".
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.daemon.coverage import Coverage
from sensor.daemon.embedded import Embedded, start_embedded
from sensor.daemon.metrics import Metrics
from sensor.daemon.phones import PhoneTraffic
from sensor.daemon.sdnotify import notify
from sensor.daemon.visits import visit_observation
from sensor.detect.baseline import Baseline
from sensor.detect.detector import Detector, detection_object
from sensor.errors import ConfigError, SensorError, SourceError
from sensor.locate.visits import utc_offset_s
from sensor.model import L2Block
from sensor.publish.envelope import EnvelopeError
from sensor.publish.keys import load_keypair, load_public_key
from sensor.publish.link import Link, LinkState
from sensor.publish.outbox import Outbox
from sensor.replay import CarrierSessions
from sensor.scan.scheduler import StakeoutPolicy, TuningVisit
from sensor.scan.session import ScanSession, open_session
from sensor.sessions.pseudonym import KEY_FILE as IDENTITY_KEY_FILE
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.utc import utc_iso

log = logging.getLogger(__name__)

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


@dataclass(slots=True)
class DaemonConfig:
    device: str = "sim"
    profile: str | None = None
    bands: str = "gsm900"
    arfcns: str | None = None
    rate_hz: float | None = None
    gain: float | str | None = None
    goal: str = "quick"
    gps: str = "none"
    sensor_id: str = ""
    state_dir: Path = field(default_factory=lambda: Path.home() / ".local" / "share" / "fbs-sensor")
    collector: str | None = None  # None: the embedded collector
    collector_key: str | None = None  # the collector's public key file
    sensor_key: str | None = None  # this sensor's secret key file
    allow_plaintext: bool = False
    rules: str | None = None
    baseline: str | None = None
    learn: bool = False  # add the cells judged normal, where they were heard, to the baseline
    keep_identities: bool = False  # phones' raw IMSI/TMSI/IMEI instead of keyed hashes (said in every output)
    duration_s: float | None = None
    status_every_s: float = 1.0
    metrics_path: Path | None = None
    watch: tuple[int, ...] = ()  # carriers the officer pinned (--watch): staked out whatever their verdict
    stakeout: StakeoutPolicy = field(default_factory=StakeoutPolicy)


@dataclass(slots=True)
class Alert:
    detection: dict[str, Any]
    first_t_s: float | None


class Daemon:
    def __init__(self, cfg: DaemonConfig, *, status: Callable[[str], None] | None = None) -> None:
        self.cfg = cfg
        self.stop_requested = False
        self.reload_requested = False
        self._signals()  # first: a signal during start-up must not kill the process half-way
        self.status = status or (lambda line: log.info("%s", line))
        self.sensor_id = cfg.sensor_id or socket.gethostname().split(".")[0] or "sensor"
        self.metrics = Metrics()
        self.detector = Detector.from_file(cfg.rules)
        self.baseline: Baseline | None = Baseline(cfg.baseline) if cfg.baseline else None
        self.embedded: Embedded | None = None
        self.session: ScanSession | None = None
        self.alerts: dict[str, Alert] = {}
        self.radio_s = 0.0
        self.device_losses = 0
        self.coverage = Coverage()  # what was actually received: the status line, end summary, status messages
        self.receiver_error: str | None = None  # why the receiver is not there (None while it is)
        self.ended: str | None = None  # how the run ended, once it has
        self._recent: list[TuningVisit] = []
        self._last_status = 0.0
        self._t0 = time.monotonic()
        self._gps_fix: dict[str, Any] | None = None
        cfg.state_dir.mkdir(parents=True, exist_ok=True)
        self.outbox = Outbox(cfg.state_dir / "outbox.sqlite", sensor_id=self.sensor_id)
        # phones' sessions on the carriers heard (identities as keyed hashes, the key beside the others)
        # (raw with --keep-identities: the status line and the heartbeats say so)
        self.identities = "raw" if cfg.keep_identities else "keyed"
        self.carriers = CarrierSessions(
            Pseudonymizer(keep_raw=cfg.keep_identities, path=cfg.state_dir / "keys" / IDENTITY_KEY_FILE)
        )
        self.phones = PhoneTraffic(keep_identities=cfg.keep_identities)  # their sessions and SMS, published
        self.link = self._make_link()

    # -- set-up ------------------------------------------------------------------------------------
    def _make_link(self) -> Link:
        cfg = self.cfg
        if cfg.collector is None:
            self.embedded = start_embedded(cfg.state_dir, self.sensor_id)
            return Link(
                self.outbox,
                self.embedded.endpoint,
                client_keys=self.embedded.sensor_keys,
                server_public_key=self.embedded.server_public,
                heartbeat_extra=self._heartbeat,
            ).start()
        if cfg.allow_plaintext and not (cfg.sensor_key or cfg.collector_key):
            return Link(self.outbox, cfg.collector, allow_plaintext=True, heartbeat_extra=self._heartbeat).start()
        if not cfg.sensor_key or not cfg.collector_key:
            raise ConfigError(
                "--collector needs --sensor-key (this sensor's .key_secret) and --collector-key "
                "(the collector's .key), or --allow-plaintext"
            )
        return Link(
            self.outbox,
            cfg.collector,
            client_keys=load_keypair(cfg.sensor_key),
            server_public_key=load_public_key(cfg.collector_key),
            heartbeat_extra=self._heartbeat,
        ).start()

    def _heartbeat(self) -> dict[str, Any]:
        """What the link's heartbeats add: how phones' identities leave this sensor."""
        return {"identities": self.identities}

    def _open(self) -> ScanSession:
        c = self.cfg
        return open_session(
            c.device,
            profile=c.profile,
            bands=c.bands,
            arfcns=c.arfcns,
            rate_hz=c.rate_hz,
            gain=c.gain,
            goal=c.goal,
            gps=c.gps,
            watch=c.watch,
            stakeout=c.stakeout,
        )

    def _signals(self) -> None:
        def stop(signum: int, frame: object) -> None:
            self.stop_requested = True

        def hup(signum: int, frame: object) -> None:
            self.reload_requested = True

        self._handlers_before = {
            sig: signal.signal(sig, handler)
            for sig, handler in ((signal.SIGTERM, stop), (signal.SIGINT, stop), (signal.SIGHUP, hup))
        }

    # -- the loop ----------------------------------------------------------------------------------
    def run(self) -> None:
        notify("READY=1")
        t0 = self._t0 = time.monotonic()
        attempt = 0
        try:
            while not self._done(t0):
                try:
                    if self.session is None:
                        self.session = self._open()
                        self.session.scanner.on_block = self._on_block
                        self.session.scanner.on_window = self._window
                        self.coverage.plan(self.session.plan)
                        self.receiver_error = None
                        for n in self.session.notes:
                            log.info("%s", n)
                        if attempt:
                            log.warning("receiver back after %d attempt(s)", attempt)
                        attempt = 0
                    self._one_pass(t0)
                except SourceError as exc:
                    self.receiver_error = str(exc)
                    self._lost(exc)
                    delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                    attempt += 1
                    log.warning("receiver unavailable (%s): retrying in %.0f s", exc, delay)
                    self._sleep(delay)
        finally:
            self.shutdown()

    def _done(self, t0: float) -> bool:
        if self.stop_requested or self._recording_ended():
            return True
        if self.cfg.duration_s is None:
            return False
        sim = self.cfg.device.startswith(("sim", "file"))  # radio time: the scene's, or the recording's
        return (self.radio_s if sim else time.monotonic() - t0) >= self.cfg.duration_s

    def _recording_ended(self) -> bool:
        """A recording read as the receiver (``--device file:PATH``) has been read to its end."""
        return bool(getattr(None if self.session is None else self.session.source, "exhausted", False))

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self._done(self._t0) and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))
            self._tick(force=False)

    def _lost(self, exc: SensorError) -> None:
        if self.device_losses == 0 or self.session is not None:  # once per loss, not per failed reopen
            self._publish_status(self._receiver_state())
        self.device_losses += 1
        self.metrics.inc("fbs_device_losses_total")
        if self.session is not None:
            self._publish_phones(finish=True)  # the stream breaks: no session spans it
            try:
                self.session.close()
            except Exception:  # noqa: BLE001 - the handle is dead already
                pass
            self.session = None

    def _one_pass(self, t0: float) -> None:
        assert self.session is not None
        sc = self.session.scanner
        k = int(self.metrics.values.get("fbs_passes_total", 0))
        pass_visits: list[TuningVisit] = []
        self.coverage.start_pass()
        for tuning in sc.order(k):
            if self._done(t0):
                return
            if self.reload_requested:
                self._reload()
            v = sc.visit(tuning)
            pass_visits.append(v)
            if v.cells:  # the position of the last block heard: what the GPS said when it mattered
                self._gps_fix = next((p for p in v.position.values() if p), None)
            self.radio_s += v.dwell_s + self.session.profile.settle_s
            self.coverage.visited(tuning, v.dwell_s)
            self.metrics.inc("fbs_tunings_total")
            if v.stakeout:
                self.metrics.inc("fbs_stakeouts_total")
                self.metrics.inc("fbs_stakeout_seconds_total", v.dwell_s)
            self._publish(v, tuning.arfcns)
            for key in v.cells:  # a carrier once judged suspicious or fake is staked out while it works
                if f"{key}" in self.alerts:
                    sc.suspect(key[0])
            self._tick(force=False)
        self.metrics.inc("fbs_passes_total")
        self.coverage.end_pass()
        self._publish_status("scanning")
        self._recent = pass_visits
        self.metrics.set("fbs_cells", len({c for v in pass_visits for c in v.cells}))

    def _publish(self, v: TuningVisit, searched: tuple[int, ...] = ()) -> None:
        """The visit's cells as observations (and detections); each observation says which ARFCNs the
        visit searched (``searched_arfcns``): a suspect searched for and not heard is a censored
        reading for its localisation (``sensor/locate/joint.py``)."""
        assert self.session is not None
        if not v.cells:
            return
        context = [x for x in self._recent if x.center_hz != v.center_hz] + [v]
        judged = self.session.judge(self.detector, context, baseline=self.baseline, activity_of=self.carriers.activity)
        self._publish_phones()
        now = utc_iso(time.time())
        cells = self.session.scanner.tracker.cells
        offset = utc_offset_s(cells.values(), v.started_s, v.started_s + v.dwell_s)
        items = []
        for obj in judged:
            key = (obj["arfcn"], obj["bsic"])
            if key not in v.cells:
                continue
            obj = dict(obj)
            if key in v.power_dbfs:
                obj["rssi_dbfs"] = round(v.power_dbfs[key], 1)
            obj["position"] = v.position.get(key)
            obj["t_s"] = v.t_s.get(key)
            obj["t_utc"] = now
            visit_observation(obj, cells.get(key), v, searched, offset)
            obj["searched_arfcns"] = sorted(searched)
            items.append(("observation", obj))
            self.metrics.inc("fbs_observations_total")
            if self.cfg.learn and self.baseline is not None:
                self.baseline.learn(obj, obj["position"])
            if obj["verdict"] != "normal":
                det = detection_object(obj, obj["t_s"])
                det["t_utc"] = now
                items.append(("detection", det))
                self.metrics.inc("fbs_detections_total")
                self.session.scanner.prioritise(v.center_hz)
                first = self.alerts.get(f"{key}")
                self.alerts[f"{key}"] = Alert(det, det["t_s"] if first is None else first.first_t_s)
        try:
            self.outbox.publish_many(items)
        except SensorError as exc:  # disk full (counted by the outbox) or a body the schema refuses: scanning goes on
            log.warning("outbox: %s", exc)

    def _on_block(self, block: L2Block) -> None:
        self.phones.clock.add(block)
        self.carriers.add(block)

    def _receiver_state(self) -> str:
        """``receiving``, ``no_receiver`` (none received yet), ``receiver_lost``, or ``ended``."""
        if self.ended is not None:
            return "ended"
        if self.receiver_error is None:
            return "receiving"
        return "receiver_lost" if self.coverage.anything else "no_receiver"

    def _receiver_words(self) -> str:
        """The status line's last field: how the run ended, or why nothing is being received."""
        state = self._receiver_state()
        if state == "ended":
            return f" | {self.ended}"
        if state == "no_receiver":
            return f" | NO RECEIVER, nothing scanned yet: {self.receiver_error}"
        return f" | RECEIVER LOST: {self.receiver_error}" if state == "receiver_lost" else ""

    def _end_words(self) -> str:
        """How the run ends (said once it has): the simulated drive's end is not a lost receiver."""
        scene = getattr(None if self.session is None else self.session.source, "scene", None)
        if not self.stop_requested and scene is not None and self.radio_s >= getattr(scene, "duration_s", float("inf")):
            words = "the simulated drive ended"
        elif not self.stop_requested and self._recording_ended():
            words = "the recording ended"
        elif self.stop_requested or self.cfg.duration_s is None:
            words = "stopped"
        else:
            words = f"the run's {self.cfg.duration_s:g} s are over"
        return words if self.coverage.anything else words + ": nothing was received"

    def _publish_status(self, state: str) -> None:
        """A ``status`` message: the receiver's state and what was covered, so the collector knows how
        much of the band and of the time this sensor's silence stands for."""
        body = {"state": state, "coverage": self.coverage.as_dict(), "summary": self.coverage.words(),
                "receiver_error": self.receiver_error}  # fmt: skip
        try:
            self.outbox.publish("status", body)
        except SensorError as exc:
            log.warning("outbox: status not published: %s", exc)

    def _publish_phones(self, *, finish: bool = False) -> None:
        """The sessions closed and SMS completed since the last call (with ``finish``: every open session
        closed, as incomplete) go to the outbox; nothing of them is kept over a shift."""
        if finish:
            self.carriers.finish()
        sessions, sms = self.carriers.take()
        if not sessions and not sms:
            return
        scanner = None if self.session is None else self.session.scanner
        items = self.phones.items(
            sessions,
            sms,
            cells=None if scanner is None else scanner.tracker,
            gps=None if self.session is None else self.session.gps,
        )
        try:
            self.outbox.publish_many(items)
        except EnvelopeError as exc:  # a body the schema refuses: the others still go, one by one
            log.warning("outbox: %s", exc)
            items = [item for item in items if self._publish_one(item)]
        except SensorError as exc:  # disk full (counted by the outbox)
            log.warning("outbox: %s", exc)
            return
        for kind, _ in items:
            self.metrics.inc("fbs_sessions_published_total" if kind == "session" else "fbs_sms_published_total")

    def _publish_one(self, item: tuple[str, dict[str, Any]]) -> bool:
        try:
            self.outbox.publish(*item)
        except SensorError as exc:
            log.warning("outbox: %s %s not published: %s", item[0], item[1].get("id") or item[1].get("session"), exc)
            return False
        return True

    def _window(self, v: TuningVisit) -> None:
        """After each window of a visit: a stop request ends the visit (a stakeout may last half a
        minute), and the status line and the watchdog stay fresh."""
        if self.stop_requested and self.session is not None:
            self.session.scanner.leave()
        self._tick(force=False)

    def _reload(self) -> None:
        self.reload_requested = False
        try:
            self.detector = Detector.from_file(self.cfg.rules)
            if self.cfg.baseline:
                if self.baseline is not None:
                    self.baseline.close()
                self.baseline = Baseline(self.cfg.baseline)
            log.warning("SIGHUP: rules and baseline reloaded")
        except SensorError as exc:
            log.error("SIGHUP: reload failed, keeping the previous rules: %s", exc)

    def _tick(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_status < self.cfg.status_every_s:
            return
        self._last_status = now
        st = self.outbox.stats()
        link = self.link.status()
        self.metrics.set("fbs_outbox_depth", st.depth)
        self.metrics.set("fbs_outbox_dropped_total", sum(st.dropped.values()))
        self.metrics.set("fbs_link_up", 1.0 if link.state is LinkState.CONNECTED else 0.0)
        if self.session is not None:
            self.metrics.set("fbs_blocks_decoded_total", self.session.scanner.blocks)
            if self.session.scanner.gain is not None:
                self.metrics.set("fbs_clipped_components_total", self.session.scanner.gain.clipped_total)
        gps = "none"
        if self.session is not None and self.session.gps is not None:
            fix = self._gps_fix
            gps = "no fix" if fix is None else str(fix.get("fix", "fix"))
            self.metrics.set("fbs_gps_fix", 0.0 if fix is None else 1.0)
        sc = None if self.session is None else self.session.scanner
        cur = None if sc is None else sc.current  # the visit in progress (status from a window of it)
        shown = cur or (sc.visits[-1] if sc is not None and sc.visits else None)
        tuning = "-" if shown is None else f"{shown.center_hz / 1e6:.1f} MHz"
        if cur is not None and cur.stakeout and cur.stakeout_end is None:
            tuning += f", stakeout ARFCN {','.join(map(str, cur.stakeout))} ({cur.dwell_s:.0f} s)"
        radio_s = self.radio_s + (0.0 if cur is None else cur.dwell_s)
        phones, sms = self.carriers.phones, self.carriers.sms_count
        self.metrics.set("fbs_phones_reached", phones)
        self.metrics.set("fbs_sms_pushed_total", sms)
        line = (
            f"{radio_s:6.1f} s | {tuning} | cells {int(self.metrics.values['fbs_cells'])} | "
            f"detections {len(self.alerts)} | link {link.state.value}, outbox {st.depth} | GPS {gps}"
            + (f" | phones {phones}, SMS {sms}" if phones or sms else "")
            + (" | identities RAW" if self.cfg.keep_identities else "")
            + f" | {self.coverage.words()}"
            + ("" if self.session is None else f", {self.coverage.pass_words()}")
            + self._receiver_words()
        )
        self.status(line)
        notify(f"WATCHDOG=1\nSTATUS={line.strip()}")
        if self.cfg.metrics_path is not None:
            try:
                self.metrics.write(self.cfg.metrics_path, self.sensor_id)
            except OSError as exc:
                log.warning("metrics file %s: %s", self.cfg.metrics_path, exc.strerror)

    def shutdown(self) -> None:
        notify("STOPPING=1")
        self.ended = self._end_words()
        self._publish_phones(finish=True)  # sessions still open are published as incomplete
        self._publish_status("ended")
        if self.session is not None:
            self.session.close()
            self.session = None
        left = self.link.close(flush_s=5.0)
        if left:
            log.warning("%d message(s) wait in the outbox for the collector: they go at the next start", left)
        self._tick(force=True)  # the final figures, outbox depth after the flush included
        self.outbox.close()
        if self.baseline is not None:
            self.baseline.close()
        if self.embedded is not None:
            self.embedded.collector.stop()

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.store.close()
        for sig, handler in self._handlers_before.items():  # the process's own again
            if handler is not None:
                signal.signal(sig, handler)


def print_status_line(line: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + line)
        sys.stderr.flush()
    else:
        sys.stderr.write(line + "\n")
