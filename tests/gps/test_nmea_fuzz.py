"""Property tests: corrupt NMEA never raises out of the reader and never becomes a position."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sensor.gps.epoch import NmeaFixDecoder
from sensor.gps.fix import Fix, NoFix, fix_problem
from sensor.gps.geodesy import distance_m
from sensor.gps.nmea import NmeaError, Other, parse_sentence, with_checksum
from tests.gps.drive import drive, nmea_log
from tests.gps.uart import misread

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CLEAN = nmea_log(drive(12, lost=range(5, 8)), kinds=("RMC", "VTG", "GGA", "GSA"), gsv=True).encode()


def decode(data: bytes, chunks: list[int] | None = None) -> tuple[list[Fix | NoFix], NmeaFixDecoder]:
    dec = NmeaFixDecoder("fuzz")
    out: list[Fix | NoFix] = []
    pos = 0
    for size in chunks or [len(data)]:
        out += dec.feed(data[pos : pos + size])
        pos += size
    out += dec.feed(data[pos:])
    out += dec.flush()
    return out, dec


CLEAN_FIXES = [f for f in decode(CLEAN)[0] if isinstance(f, Fix)]


def assert_subset_of_clean(out: list[Fix | NoFix]) -> None:
    """Every fix that comes out was in the clean drive, at the same time and place."""
    for item in out:
        assert isinstance(item, (Fix, NoFix))
        if isinstance(item, Fix):
            assert fix_problem(item) is None
            same = [c for c in CLEAN_FIXES if c.time_utc_s == item.time_utc_s]
            assert same, f"a fix at {item.time_utc_s} that the drive never had"
            assert distance_m(item.lat_deg, item.lon_deg, same[0].lat_deg, same[0].lon_deg) < 1.0


def test_clean_drive_has_9_fixes_and_3_losses() -> None:
    out, dec = decode(CLEAN)
    assert len(CLEAN_FIXES) == 9
    assert sum(isinstance(x, NoFix) for x in out) == 3
    assert dec.stats.sentences_bad == 0


@FUZZ
@given(st.binary(max_size=4000), st.lists(st.integers(1, 64), max_size=20))
def test_random_bytes_never_raise_and_never_give_a_fix(data: bytes, chunks: list[int]) -> None:
    out, _ = decode(data, chunks)
    assert not [x for x in out if isinstance(x, Fix)]


@FUZZ
@given(st.data())
def test_one_corrupted_byte_never_invents_a_position(data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(CLEAN) - 1))
    b = data.draw(st.integers(0, 255).filter(lambda v: v != CLEAN[i]))
    out, _ = decode(CLEAN[:i] + bytes([b]) + CLEAN[i + 1 :])
    assert_subset_of_clean(out)


@FUZZ
@given(st.data())
def test_corruption_bursts_insertions_and_deletions(data: st.DataObject) -> None:
    buf = bytearray(CLEAN)
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "insert", "delete", "burst"]))
        i = data.draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "insert":
            buf[i:i] = data.draw(st.binary(min_size=1, max_size=40))
        elif op == "delete":
            del buf[i : i + data.draw(st.integers(1, 40))]
        else:
            n = data.draw(st.integers(1, 64))
            buf[i : i + n] = data.draw(st.binary(min_size=n, max_size=n))
    chunks = data.draw(st.lists(st.integers(1, 200), max_size=10))
    out, _ = decode(bytes(buf), chunks)
    # Two flips of the same bit in one sentence cancel in the XOR checksum (NMEA's weakness): such a
    # sentence can carry a wrong digit, so here only plausibility is guaranteed, plus no exception.
    for item in out:
        if isinstance(item, Fix):
            assert fix_problem(item) is None


@FUZZ
@given(st.integers(0, len(CLEAN)))
def test_truncated_stream_gives_only_real_fixes(n: int) -> None:
    out, _ = decode(CLEAN[:n])
    assert_subset_of_clean(out)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([4800, 19200, 38400, 57600, 115200]), st.sampled_from([9600]))
def test_wrong_baud_rate_garbage_gives_nothing(rx: int, tx: int) -> None:
    garbage = misread(CLEAN, tx, rx)
    out, dec = decode(garbage)
    assert not [x for x in out if isinstance(x, Fix)]
    assert dec.stats.sentences_ok == 0


ADDRESSES = [t + k for t in ("GP", "GN", "GL", "BD") for k in ("RMC", "GGA", "GSA", "VTG", "GNS", "GLL", "ZDA")]
FIELD = st.text(alphabet="0123456789.-+ENSWAVMDTK,e", max_size=14)


@FUZZ
@given(st.sampled_from(ADDRESSES), st.lists(FIELD, max_size=20))
def test_checksummed_nonsense_fields_raise_only_nmea_error(address: str, fields: list[str]) -> None:
    """With a correct checksum, the field parsers themselves must reject nonsense cleanly."""
    line = with_checksum(",".join([address, *fields]))
    try:
        s = parse_sentence(line)
    except NmeaError:
        return
    for name in ("lat_deg", "lon_deg", "alt_m", "hdop", "speed_m_s", "track_deg", "time_of_day_s"):
        v = getattr(s, name, None)
        assert v is None or math.isfinite(v)
    if getattr(s, "lat_deg", None) is not None:
        assert -90 <= s.lat_deg <= 90 and -180 <= s.lon_deg <= 180


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(ADDRESSES), st.lists(FIELD, max_size=16)), max_size=30))
def test_checksummed_nonsense_streams_give_only_plausible_fixes(lines: list[tuple[str, list[str]]]) -> None:
    data = "".join(with_checksum(",".join([a, *f])) + "\r\n" for a, f in lines).encode()
    out, _ = decode(data)
    for item in out:
        if isinstance(item, Fix):
            assert fix_problem(item) is None


@FUZZ
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_nmea_error(text: str) -> None:
    try:
        s = parse_sentence(text)
    except NmeaError:
        return
    assume(not isinstance(s, Other))
    assert text.strip().startswith("$")
