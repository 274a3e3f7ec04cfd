"""Helpers for import tests: modules that fail to import, and a check that backends import lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def write_failing_package(root: Path, name: str, exc: str) -> None:
    """``root/name/__init__.py`` raising ``exc`` (Python source of an exception) on import."""
    pkg = root / name
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text(f"raise {exc}\n")


def assert_imports_lazily(tmp_path: Path, backend: str, drivers: list[str]) -> None:
    """Importing ``backend`` (and listing its attributes) must not import any of ``drivers``,
    even when they are importable: each driver here raises if anyone imports it."""
    for name in drivers:
        write_failing_package(tmp_path, name, f"RuntimeError('{name} was imported')")
    code = (
        f"import sys; import {backend} as m; dir(m); "
        f"bad = [d for d in {drivers!r} if d in sys.modules]; "
        "assert not bad, bad; print('lazy')"
    )
    env_path = f"{tmp_path}:{REPO}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0 and "lazy" in done.stdout, done.stderr
