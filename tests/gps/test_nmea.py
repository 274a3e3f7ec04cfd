"""NMEA 0183 sentence parsing: framing, checksums, every sentence type, every talker, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from sensor.gps.nmea import (
    Gga,
    Gll,
    Gns,
    Gsa,
    LineFramer,
    NmeaError,
    NmeaReader,
    Other,
    Rmc,
    Vtg,
    Zda,
    checksum,
    parse_sentence,
    with_checksum,
)

# The classic examples from NMEA references (their checksums are the published ones).
GGA_CLASSIC = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
RMC_CLASSIC = "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A"


def test_checksum_of_published_examples() -> None:
    assert checksum(GGA_CLASSIC[1:-3]) == 0x47
    assert checksum(RMC_CLASSIC[1:-3]) == 0x6A
    assert with_checksum(GGA_CLASSIC[1:-3]) == GGA_CLASSIC


def test_gga_classic() -> None:
    s = parse_sentence(GGA_CLASSIC)
    assert isinstance(s, Gga)
    assert s.talker == "GP"
    assert s.time_of_day_s == 12 * 3600 + 35 * 60 + 19
    assert s.lat_deg == pytest.approx(48 + 7.038 / 60)
    assert s.lon_deg == pytest.approx(11 + 31.0 / 60)
    assert (s.quality, s.satellites, s.hdop, s.alt_m) == (1, 8, 0.9, 545.4)


def test_rmc_classic() -> None:
    s = parse_sentence(RMC_CLASSIC)
    assert isinstance(s, Rmc)
    assert s.valid and s.why_invalid is None
    assert s.date == dt.date(1994, 3, 23)
    assert s.speed_m_s == pytest.approx(22.4 * 1852 / 3600)
    assert s.track_deg == pytest.approx(84.4)


def test_southern_western_hemispheres() -> None:
    s = parse_sentence(with_checksum("GNGGA,000000.00,3352.12800,S,15112.46200,W,1,12,0.6,10.0,M,,M,,"))
    assert s.lat_deg == pytest.approx(-(33 + 52.128 / 60))
    assert s.lon_deg == pytest.approx(-(151 + 12.462 / 60))


@pytest.mark.parametrize("talker", ["GP", "GN", "GL", "GA", "BD", "GB", "GQ", "GI"])
def test_every_gnss_talker(talker: str) -> None:
    s = parse_sentence(with_checksum(f"{talker}RMC,120000.00,A,4807.03800,N,01131.00000,E,0.0,,150624,,,A"))
    assert isinstance(s, Rmc) and s.talker == talker


def test_unknown_talker_and_proprietary_are_ignored_not_bad() -> None:
    assert isinstance(parse_sentence(with_checksum("IIRMC,120000,A,4807.038,N,01131.000,E,0,0,150624,,")), Other)
    assert isinstance(parse_sentence(with_checksum("PUBX,00,120000.00,4807.038,N")), Other)
    assert isinstance(parse_sentence(with_checksum("GPGSV,1,1,01,02,45,120,42")), Other)
    assert isinstance(parse_sentence(with_checksum("GPTXT,01,01,02,u-blox ag")), Other)


def test_rmc_invalid_status_and_mode() -> None:
    v = parse_sentence(with_checksum("GPRMC,120000.00,V,,,,,,,150624,,,N"))
    assert isinstance(v, Rmc) and not v.valid and v.why_invalid == "RMC status V" and v.lat_deg is None
    # status A but dead reckoning (E), manual (M) or simulator (S): not a measured position
    for mode in "EMSN":
        r = parse_sentence(with_checksum(f"GPRMC,120000.00,A,4807.038,N,01131.000,E,0.0,,150624,,,{mode}"))
        assert not r.valid and r.why_invalid == f"RMC mode {mode}"
    for mode in "ADPRF":
        assert parse_sentence(with_checksum(f"GPRMC,120000.00,A,4807.038,N,01131.000,E,0.0,,150624,,,{mode}")).valid


def test_gsa_with_and_without_system_id() -> None:
    a = parse_sentence(with_checksum("GPGSA,A,3,02,05,12,,,,,,,,,,1.60,0.90,1.30"))
    b = parse_sentence(with_checksum("GNGSA,A,2,65,66,,,,,,,,,,,2.10,1.20,1.70,2"))
    assert isinstance(a, Gsa) and (a.dimension, a.pdop, a.hdop, a.vdop) == (3, 1.6, 0.9, 1.3)
    assert isinstance(b, Gsa) and b.dimension == 2 and b.hdop == 1.2


def test_vtg_new_and_old_layouts() -> None:
    new = parse_sentence(with_checksum("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,A"))
    old = parse_sentence(with_checksum("GPVTG,054.7,034.4,005.5,010.2"))
    for s in (new, old):
        assert isinstance(s, Vtg)
        assert s.track_deg == pytest.approx(54.7)
        assert s.speed_m_s == pytest.approx(5.5 * 1852 / 3600)
    assert new.mode == "A" and old.mode is None


def test_gns_gll_zda() -> None:
    gns = parse_sentence(with_checksum("GNGNS,120000.00,4807.03800,N,01131.00000,E,ANN,09,0.9,545.4,46.9,,,V"))
    assert isinstance(gns, Gns) and gns.valid and gns.alt_m == 545.4 and gns.satellites == 9
    assert not parse_sentence(with_checksum("GNGNS,120000.00,,,,,NNN,00,99.99,,,,,V")).valid
    assert not parse_sentence(with_checksum("GNGNS,120000.00,4807.038,N,01131.000,E,EN,05,2.0,500,47,,,V")).valid
    gll = parse_sentence(with_checksum("GPGLL,4807.038,N,01131.000,E,120000.00,A,A"))
    assert isinstance(gll, Gll) and gll.valid
    zda = parse_sentence(with_checksum("GPZDA,235959.50,31,12,2023,00,00"))
    assert isinstance(zda, Zda) and zda.date == dt.date(2023, 12, 31) and zda.time_of_day_s == 86399.5


BAD = [
    "",  # empty
    "GPGGA,123519,4807.038,N*00",  # no $
    GGA_CLASSIC[:-1],  # checksum truncated
    GGA_CLASSIC[:40],  # line cut short: no checksum
    GGA_CLASSIC.replace("*47", "*48"),  # wrong checksum
    GGA_CLASSIC.replace("4807", "4808"),  # one digit changed
    GGA_CLASSIC.replace("*47", ""),  # checksum missing
    "$GPGGA*" + "00",  # checksum matches nothing sensible
    with_checksum("GPRMC,120000.00,A,9107.038,N,01131.000,E,0,0,150624,,"),  # latitude > 90
    with_checksum("GPRMC,120000.00,A,4860.000,N,01131.000,E,0,0,150624,,"),  # 60 minutes
    with_checksum("GPRMC,120000.00,A,4807.038,N,18131.000,E,0,0,150624,,"),  # longitude > 180
    with_checksum("GPRMC,250000.00,A,4807.038,N,01131.000,E,0,0,150624,,"),  # hour 25
    with_checksum("GPRMC,120000.00,A,4807.038,N,01131.000,E,0,0,320624,,"),  # 32nd of June
    with_checksum("GPRMC,120000.00,A,4807.038,X,01131.000,E,0,0,150624,,"),  # hemisphere X
    with_checksum("GPRMC,120000.00,A,4807.038,N,,,0,0,150624,,"),  # latitude without longitude
    with_checksum("GPRMC,120000.00,Q,4807.038,N,01131.000,E,0,0,150624,,"),  # status Q
    with_checksum("GPRMC,120000.00,A,nan,N,01131.000,E,0,0,150624,,"),  # nan
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E,1,08,inf,545.4,M,46.9,M,,"),  # inf HDOP
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,1e9,M,46.9,M,,"),  # exponent
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E,9,08,0.9,545.4,M,46.9,M,,"),  # quality 9
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E,1,08,-0.9,545.4,M,46.9,M,,"),  # negative HDOP
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,F,46.9,M,,"),  # feet
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,999999,M,46.9,M,,"),  # altitude
    with_checksum("GPGGA,120000,4807.038,N,01131.000,E"),  # too few fields
    with_checksum("GPGSA,A,4,,,,,,,,,,,,,1,1,1"),  # fix type 4
    with_checksum("GPRMC,120000.00,A,4807.038,N,01131.000,E,99999,0,150624,,"),  # speed
    with_checksum("gprmc,120000.00,A,4807.038,N,01131.000,E,0,0,150624,,"),  # lower-case address
    "$GPRMC,120000.00,A,4807.038,N,01131.000,E,0,0,150624,,\x00*" + "00",  # control character
    "$" + "A" * 300 + "*00",  # far too long
]


@pytest.mark.parametrize("line", BAD)
def test_bad_sentences_raise_nmea_error(line: str) -> None:
    with pytest.raises(NmeaError):
        parse_sentence(line)


def test_reader_counts_and_never_raises() -> None:
    reader = NmeaReader()
    data = (
        b"\xff\xfe garbage \x00\r\n"
        + GGA_CLASSIC.encode()
        + b"\r\n"
        + b"noise$"
        + RMC_CLASSIC.encode()  # noise before the '$' is skipped
        + b"\r\n"
        + GGA_CLASSIC.replace("*47", "*00").encode()
        + b"\r\n"
        + with_checksum("GPGSV,1,1,01,02,45,120,42").encode()
        + b"\n"
    )
    out = reader.feed(data[:17]) + reader.feed(data[17:])  # split mid-line
    assert [type(s) for s in out] == [Gga, Rmc, Other]
    assert reader.stats.sentences_ok == 2
    assert reader.stats.sentences_ignored == 1
    assert reader.stats.sentences_bad == 2
    assert reader.stats.bytes_read == len(data)


def test_framer_drops_overlong_runs_and_recovers() -> None:
    framer = LineFramer(max_line_bytes=100)
    assert framer.feed(b"x" * 150) == []
    assert framer.feed(b"still the same junk line\n") == []  # the rest of the overlong line is dropped
    assert framer.feed(GGA_CLASSIC.encode() + b"\r\n") == [GGA_CLASSIC.encode()]
    assert framer.overflows == 1
