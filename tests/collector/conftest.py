"""Fixtures of the collector's tests: the headless browser (``tests/chromium.py``)."""

from tests.chromium import chromium  # noqa: F401  (a fixture, used by name)
