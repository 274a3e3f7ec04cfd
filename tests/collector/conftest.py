"""The headless-Chromium fixture of the dashboard's browser tests, for every test file here."""

from tests.collector.test_dashboard import chromium  # noqa: F401 - a fixture, shared
