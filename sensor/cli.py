"""The ``fbs-sensor`` command: a click group whose commands live in ``sensor/commands/``.

A command's module (and the receiver, the collector, scipy ... behind it) is imported only when that
command runs: ``fbs-sensor --help`` lists them from ``COMMANDS``, each with its one-line help, which
``tests/test_cli.py`` holds equal to the commands' own.

Every ``SensorError`` ends the program with one line on standard error and exit status 2;
Ctrl-C ends it with status 130 after the command has cleaned up.
"""

from __future__ import annotations

import importlib
import sys

import click
from click.utils import make_default_short_help

from sensor import __version__, interrupt
from sensor.config import load_config
from sensor.errors import SensorError
from sensor.logfmt import setup_logging
from sensor.threads import set_threads

# sensor/commands/NAME.py → the one-line help ``fbs-sensor --help`` shows for it
COMMANDS: dict[str, str] = {
    "baseline": "The area baseline: cells known per area, from earlier drives and OpenCellID.",
    "calibrate": "Measure the receiver's frequency error on nearby GSM cells and store it for the scanner.",
    "collector": "Run the collector in the foreground: store every sensor message once, acknowledge it after the "
    "commit.",
    "dashboard": "Serve the read-only web dashboard of a collector database: alerts per transmitter, map, table.",
    "devices": "List attached receivers (RTL-SDR, HackRF, SoapySDR devices) and the --device spec of each.",
    "evaluate": "Run labelled SCENES (files or folders; default: the bundled library) and score the detector.",
    "export": "Export readings and located transmitters from the collector's database.",
    "gps": "Show what a GPS source delivers: fixes, fix losses, and the laptop clock's offset from GPS time.",
    "inspect": "Summarise RECORDING and list the 200 kHz channels that carry power.",
    "keys": "CurveZMQ key pairs: one per sensor (NAME = sensor id) and one for the collector.",
    "locate": "Locate the suspicious and fake transmitters the collector has readings of.",
    "profiles": "List the receiver profiles (firmware-config/receivers/*.toml), checking each one.",
    "record": "Record IQ from a receiver to SigMF.",
    "replay": "Decode every GSM cell in RECORDING(s) (SigMF, or raw with --format/--rate/--center) and judge it.",
    "report": "A period's fake-station activity as one self-contained HTML report (and JSON).",
    "rules": "List the detection rules (ids are stable: they appear in detections).",
    "run": "Run the sensor: scan continuously, judge every cell, publish to the collector.",
    "scan": "Scan the bands once: find every cell, decode what it broadcasts, judge it.",
    "simulate": "Render SCENE.toml to IQ recordings, deterministically for its seed.",
}


def _handled_interrupt() -> None:
    """Tell CPython the KeyboardInterrupt was handled. A Ctrl-C that lands while Python runs code
    compiled from a string (``exec``: a dataclass's generated methods, as a module imported when
    first used builds them) sets the interpreter's "unhandled KeyboardInterrupt" flag even when the
    exception is caught, and at exit CPython then kills the process with SIGINT (status -2) instead
    of exiting with the 130 this command chose. Without the flag (another interpreter), nothing."""
    import ctypes

    try:
        ctypes.c_int.in_dll(ctypes.pythonapi, "_Py_UnhandledKeyboardInterrupt").value = 0
    except (ValueError, AttributeError, OSError):
        pass


class SensorGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return importlib.import_module(f"sensor.commands.{cmd_name}").command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``COMMANDS``, laid out as click lays it out, no module imported."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(n, make_default_short_help(COMMANDS[n], limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        with interrupt.watching():
            try:
                done = super().invoke(ctx)
            except SensorError as exc:
                click.echo(f"fbs-sensor: error: {exc}", err=True)
                ctx.exit(exc.exit_code)
            except KeyboardInterrupt:
                self._interrupted(ctx)
            except BrokenPipeError:
                sys.stderr.close()  # reader went away (| head): stop quietly
                ctx.exit(0)
            if interrupt.pressed():  # Ctrl-C swallowed where Python could not raise it (sensor/interrupt.py)
                self._interrupted(ctx)
            return done

    @staticmethod
    def _interrupted(ctx: click.Context) -> None:
        _handled_interrupt()
        click.echo("fbs-sensor: interrupted", err=True)
        ctx.exit(130)


@click.group(cls=SensorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fbs-sensor")
@click.option(
    "--config",
    "config_path",
    metavar="FILE",
    envvar="FBS_SENSOR_CONFIG",
    help="TOML config whose keys are option names (default ~/.config/fbs-sensor/config.toml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option(
    "--log-json",
    is_flag=True,
    envvar="FBS_SENSOR_LOG_JSON",
    help="Log lines as JSON objects (for journald, Loki, ELK).",
)
@click.option(
    "--threads",
    "n_threads",
    type=click.IntRange(min=1),
    metavar="N",
    envvar="FBS_SENSOR_THREADS",
    show_envvar=True,
    help="Threads the receiver may use (default 1: on 2 cores more were measured to cost memory and gain no time). "
    "The output is the same with any number.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, log_json: bool, n_threads: int | None) -> None:
    """Passive GSM fake-base-station (IMSI-catcher) sensor."""
    setup_logging(verbose, as_json=log_json)
    set_threads(n_threads)
    ctx.default_map = load_config(cli, config_path)


def main() -> None:
    cli.main(prog_name="fbs-sensor")


if __name__ == "__main__":
    main()
