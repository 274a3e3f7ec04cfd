"""The ``fbs-sensor`` command: a click group whose commands live in ``sensor/commands/``.

Every ``SensorError`` ends the program with one line on standard error and exit status 2;
Ctrl-C ends it with status 130 after the command has cleaned up.
"""

from __future__ import annotations

import importlib
import sys

import click

from sensor import __version__
from sensor.config import load_config
from sensor.errors import SensorError
from sensor.logfmt import setup_logging


class SensorGroup(click.Group):
    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except SensorError as exc:
            click.echo(f"fbs-sensor: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("fbs-sensor: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            sys.stderr.close()  # reader went away (| head): stop quietly
            ctx.exit(0)


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
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, log_json: bool) -> None:
    """Passive GSM fake-base-station (IMSI-catcher) sensor."""
    setup_logging(verbose, as_json=log_json)
    ctx.default_map = load_config(cli, config_path)


# One module a command in sensor/commands/, each with its click ``command``.
COMMANDS = (
    "baseline", "calibrate", "collector", "devices", "evaluate", "export", "gps", "inspect", "keys",
    "locate", "profiles", "record", "replay", "rules", "run", "scan", "simulate",
)  # fmt: skip
for _name in COMMANDS:
    cli.add_command(importlib.import_module(f"sensor.commands.{_name}").command)


def main() -> None:
    cli.main(prog_name="fbs-sensor")


if __name__ == "__main__":
    main()
