"""Typed loading of TOML tables into frozen dataclasses, with errors that name file and key.

Used for device profiles, the sensor config and scene files. A field's ``metadata`` may carry
``min``, ``max`` (inclusive bounds), ``choices`` (allowed values) and ``doc``. Unknown keys,
missing required keys, wrong types and out-of-range values raise ``ConfigError`` with one line:
``FILE: key 'a.b': problem``.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from sensor.errors import ConfigError

T = TypeVar("T")


def read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def load_dataclass(cls: type[T], table: Any, where: str, prefix: str = "") -> T:
    """Build ``cls`` from a TOML table, checking every key."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {_key(prefix) or 'top level'} must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    for key in table:
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(sorted(fields))})"
            raise ConfigError(f"{where}: unknown key {_key(prefix + key)!r}{hint}")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        path = prefix + name
        if name not in table:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{where}: required key {_key(path)!r} is missing")
            continue
        values[name] = _convert(hints[name], table[name], where, path)
        _check_bounds(f, values[name], where, path)
    try:
        return cls(**values)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: {prefix.rstrip('.') or 'table'}: {exc}") from None


def _key(path: str) -> str:
    return path


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _convert(tp: Any, value: Any, where: str, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, where, path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if len(errors) == 1 else f"{where}: key {path!r}: {value!r} has the wrong type")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{where}: key {path!r}: {value!r} is not one of {', '.join(map(repr, args))}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"{where}: key {path!r}: expected a list, got {type(value).__name__}")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                raise ConfigError(f"{where}: key {path!r}: expected {len(args)} values, got {len(value)}")
            return tuple(_convert(a, v, where, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
        item = args[0] if args else Any
        out = [_convert(item, v, where, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(out) if origin is tuple else out
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: key {path!r}: expected a table")
        return {k: _convert(args[1], v, where, f"{path}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return load_dataclass(tp, value, where, prefix=path + ".")
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        for member in tp:
            if value == member.value or (isinstance(value, str) and value.lower() == member.name.lower()):
                return member
        allowed = ", ".join(repr(m.value) for m in tp)
        raise ConfigError(f"{where}: key {path!r}: {value!r} is not one of {allowed}")
    if tp is Any or tp is object:
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: key {path!r}: expected true or false, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: key {path!r}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: key {path!r}: expected a whole number, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: key {path!r}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: key {path!r}: unsupported type {_type_name(tp)}")


def _check_bounds(f: dataclasses.Field, value: Any, where: str, path: str) -> None:
    meta = f.metadata
    items = value if isinstance(value, (list, tuple)) else [value]
    for v in items:
        if v is None or not isinstance(v, (int, float, str)):
            continue
        if "choices" in meta and v not in meta["choices"]:
            raise ConfigError(f"{where}: key {path!r}: {v!r} is not one of {', '.join(map(str, meta['choices']))}")
        if "min" in meta and isinstance(v, (int, float)) and v < meta["min"]:
            raise ConfigError(f"{where}: key {path!r}: {v} is below the minimum {meta['min']}")
        if "max" in meta and isinstance(v, (int, float)) and v > meta["max"]:
            raise ConfigError(f"{where}: key {path!r}: {v} is above the maximum {meta['max']}")


def bounded(default: Any = dataclasses.MISSING, *, doc: str = "", **bounds: Any) -> Any:
    """A dataclass field with bounds: ``x: float = bounded(1.0, min=0, doc="...")``."""
    meta = {"doc": doc, **bounds}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)
