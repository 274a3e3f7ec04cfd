"""The sensor's configuration file: TOML whose keys are the CLI's long option names.

A key at the top level applies to every command that has that option; a table named after a
command (``[record]``, ``[replay]``) applies to that command only and wins over the top level.
Option names are written as on the command line without the dashes (``sample-rate`` or
``sample_rate``). Every key and value is checked against the commands' options when the file is
loaded, so a typo or a wrong value stops the program with one line naming the file and the key.

Location: ``--config PATH``, else ``$FBS_SENSOR_CONFIG``, else ``$XDG_CONFIG_HOME/fbs-sensor/config.toml``
(``~/.config/fbs-sensor/config.toml``); a missing default file is simply no configuration.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from sensor.errors import ConfigError
from sensor.schema import read_toml

ENV_VAR = "FBS_SENSOR_CONFIG"


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fbs-sensor" / "config.toml"


def resolve_config_path(explicit: str | None) -> tuple[Path, bool]:
    """The config file to read and whether it must exist (it must when named explicitly)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env), True
    return default_config_path(), False


def _options_of(command: click.Command) -> dict[str, click.Parameter]:
    """Long option name without dashes (both - and _ spellings) → parameter."""
    out: dict[str, click.Parameter] = {}
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        for opt in param.opts + param.secondary_opts:
            if opt.startswith("--"):
                name = opt[2:]
                out[name] = param
                out[name.replace("-", "_")] = param
    return out


def _convert(param: click.Parameter, value: Any, where: str, key: str) -> Any:
    if param.multiple or (param.nargs != 1):
        if not isinstance(value, list):
            raise ConfigError(f"{where}: key {key!r}: expected a list")
        values = value
    else:
        values = [value]
    try:
        converted = [param.type.convert(v, param, None) for v in values]
    except click.BadParameter as exc:
        raise ConfigError(f"{where}: key {key!r}: {exc.message}") from None
    return converted if (param.multiple or param.nargs != 1) else converted[0]


def build_default_map(group: click.Group, table: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """Check ``table`` against ``group``'s commands and return click's ``default_map``."""
    commands = {name: group.get_command(None, name) for name in group.list_commands(None)}  # type: ignore[arg-type]
    per_command: dict[str, dict[str, Any]] = {name: {} for name in commands}
    top_level: dict[str, Any] = {}
    for key, value in table.items():
        if key in commands and isinstance(value, dict):
            opts = _options_of(commands[key])
            for sub, subval in value.items():
                if sub not in opts:
                    raise ConfigError(f"{where}: unknown key '{key}.{sub}' ('fbs-sensor {key}' has no option --{sub})")
                param = opts[sub]
                per_command[key][param.name] = _convert(param, subval, where, f"{key}.{sub}")
            continue
        owners = [(name, _options_of(cmd)[key]) for name, cmd in commands.items() if key in _options_of(cmd)]
        if not owners:
            raise ConfigError(f"{where}: unknown key {key!r} (no command has an option --{key})")
        for name, param in owners:
            top_level.setdefault(name, {})[param.name] = _convert(param, value, where, key)
    for name, defaults in top_level.items():
        for k, v in defaults.items():
            per_command[name].setdefault(k, v)
    return {name: d for name, d in per_command.items() if d}


def load_config(group: click.Group, explicit: str | None) -> dict[str, dict[str, Any]]:
    path, required = resolve_config_path(explicit)
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: no such config file")
        return {}
    return build_default_map(group, read_toml(path), str(path))
