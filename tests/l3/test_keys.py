"""Keys declared once (sensor.l3.keys): every key a parser emits and every key a rule reads is declared."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sensor.l3 import keys
from sensor.l3.ccch import immediate_assignment, paging_request_1
from sensor.l3.cell import CellParams, build_all
from sensor.l3.messages import parse_si, si_type_of
from tests.l3.strategies import cell_params
from tests.l3.test_real_captures import VF_FILE, _frames

ROOT = Path(__file__).resolve().parents[2]
# modules that read cell params or CCCH counts by key
READERS = sorted((ROOT / "sensor" / "detect").rglob("*.py")) + [
    ROOT / "sensor" / "cells.py",
    ROOT / "sensor" / "scan" / "scheduler.py",
]
DECLARED = {k for k in vars(keys) if k.isupper()}


def test_declared_values_are_unique():
    values = [v for k, v in vars(keys).items() if k.isupper() and isinstance(v, str)]
    assert len(values) == len(set(values))
    assert keys.PARAMS.isdisjoint(keys.CCCH_CLASSES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cell_params())
def test_every_key_a_parser_emits_is_declared(p: CellParams):
    for l2 in build_all(p).values():
        assert set(parse_si(l2).params()) <= keys.PARAMS


def test_every_key_parsed_from_real_frames_is_declared(captures: Path):
    for l2 in _frames(captures / VF_FILE):
        if si_type_of(l2) is not None:
            assert set(parse_si(l2, strict=False).params()) <= keys.PARAMS


def test_every_ccch_class_is_declared():
    from sensor.l3.ccch import classify_ccch

    built = [paging_request_1(None), paging_request_1(0x1234), immediate_assignment(arfcn=1, tn=1, tsc=0, ra=1, fn=0)]
    for octets in built + [bytes.fromhex("0106") + bytes([mt]) + bytes(20) for mt in range(256)]:
        name = classify_ccch(octets)
        assert name is None or name in keys.CCCH_CLASSES


def _reads(path: Path) -> list[tuple[int, str, str]]:
    """(line, kind, name) of every ``keys.X`` attribute and every string literal used as a params key."""
    out: list[tuple[int, str, str]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "keys":
            out.append((node.lineno, "attr", node.attr))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            arg = node.args[-1] if node.func.attr == "operator_median" else node.args[0]
            if (
                (node.func.attr == "operator_median" or (node.func.attr == "get" and owner_name in ("params", "ccch")))
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                out.append((node.lineno, "literal", arg.value))
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "params"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            out.append((node.lineno, "literal", node.slice.value))
    return out


@pytest.mark.parametrize("path", READERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_key_a_rule_reads_is_declared(path: Path):
    for line, kind, name in _reads(path):
        if kind == "attr":
            assert name in DECLARED, f"{path.name}:{line}: keys.{name} is not declared in sensor/l3/keys.py"
        else:
            assert name in keys.PARAMS | keys.CCCH_CLASSES, f"{path.name}:{line}: key {name!r} is not declared"


def test_the_scanner_catches_a_typo(tmp_path: Path):
    bad = tmp_path / "rule.py"
    bad.write_text(
        "def f(cell, ctx):\n    return cell.params.get('cro_bd'), keys.CRO_BD, ctx.operator_median(cell, 't3212')\n"
    )
    names = {name for _, _, name in _reads(bad)}
    assert names == {"cro_bd", "CRO_BD", "t3212"}
    assert not names & (keys.PARAMS | DECLARED)
