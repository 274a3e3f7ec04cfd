"""Stored times compare as strings only in one form: ``canonical_utc`` gives every envelope time
(0 to 9 digits of fraction) ``utc_iso``'s six, and leaves text that is no such time alone."""

from __future__ import annotations

import random

import pytest

from sensor.utc import canonical_utc, utc_iso


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000000Z"),
        ("2026-11-25T10:00:00.5Z", "2026-11-25T10:00:00.500000Z"),
        ("2026-11-25T10:00:00.123Z", "2026-11-25T10:00:00.123000Z"),
        ("2026-11-25T10:00:00.123456Z", "2026-11-25T10:00:00.123456Z"),
        ("2026-11-25T10:00:00.123456789Z", "2026-11-25T10:00:00.123456Z"),
        ("yesterday", "yesterday"),
        ("2026-11-25T10:00:00.Z", "2026-11-25T10:00:00.Z"),
        ("2026-11-25T10:00:00.12a4Z", "2026-11-25T10:00:00.12a4Z"),
        ("2026-11-25 10:00:00Z", "2026-11-25 10:00:00Z"),
        ("", ""),
    ],
)
def test_a_time_is_stored_with_six_digits_of_fraction(given, stored):
    assert canonical_utc(given) == stored


def test_times_of_any_precision_sort_as_strings_in_time_order():
    from datetime import datetime

    rng = random.Random(3)
    written = []
    for _ in range(300):
        full = utc_iso(1_790_000_000 + rng.randrange(0, 3) + rng.randrange(0, 1_000_000) / 1e6)
        digits = rng.choice([0, 1, 3, 6, 9])
        frac = full[20:26] + "000"
        written.append(full[:19] + (f".{frac[:digits]}" if digits else "") + "Z")

    def when(text: str) -> float:  # the time a string says, to the precision it was written with
        head, _, frac = text[:-1].partition(".")
        return datetime.fromisoformat(head + "+00:00").timestamp() + (int(frac) / 10 ** len(frac) if frac else 0.0)

    as_given = [when(w) for w in sorted(written)]
    assert as_given != sorted(as_given)  # mixed precisions compared as strings: out of time order
    stored = [when(canonical_utc(w)) for w in sorted(written, key=canonical_utc)]
    assert stored == sorted(stored)
    assert [when(canonical_utc(w)) for w in written] == pytest.approx([when(w) for w in written], abs=1e-6)
