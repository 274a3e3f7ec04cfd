"""Shared test fixtures and paths."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CAPTURES = (REPO / ".." / "shared" / "captures").resolve()


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite recordings/golden/*.jsonl from the current output (after a deliberate change).",
    )


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    if os.environ.get("FBS_HARDWARE") == "1":
        return
    skip = pytest.mark.skip(reason="needs a real radio: set FBS_HARDWARE=1 with one attached")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def captures() -> Path:
    if not CAPTURES.is_dir():
        pytest.skip(f"real captures not found at {CAPTURES}")
    return CAPTURES


@pytest.fixture(autouse=True)
def _identity_key_in_tmp(tmp_path_factory, monkeypatch):  # type: ignore[no-untyped-def]
    """Replays and trackers load (or make) the deployment's identity key: in the tests it lives in a
    temporary folder, never in the home directory of whoever runs them. A test that sets its own
    ``FBS_SENSOR_IDENTITY_KEY`` (in a subprocess's or CliRunner's env) still wins."""
    if "FBS_SENSOR_IDENTITY_KEY" not in os.environ:
        key = tmp_path_factory.getbasetemp() / "identity.key"
        monkeypatch.setenv("FBS_SENSOR_IDENTITY_KEY", str(key))


@pytest.fixture(autouse=True)
def _signal_handlers_as_they_were():  # type: ignore[no-untyped-def]
    """A daemon built in the test's process installs its SIGINT/SIGTERM/SIGHUP handlers (``run``'s,
    for the whole process) and a test need not close it: the next test starts with the handlers
    the process had, so a Ctrl-C there is Python's (or the CLI's) again."""
    names = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {sig: signal.getsignal(sig) for sig in names}
    yield
    for sig, handler in before.items():
        if signal.getsignal(sig) is not handler and handler is not None:
            signal.signal(sig, handler)


@pytest.fixture
def chromium(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A headless Chromium driven over the DevTools protocol (``tests/chromium.py``)."""
    from tests.chromium import headless

    with headless(tmp_path) as cdp:
        yield cdp
