"""Merging the sentences of one epoch into a Fix: what each sentence contributes, and when not to."""

from __future__ import annotations

import datetime as dt

import pytest

from sensor.gps.epoch import EpochAssembler, NmeaFixDecoder
from sensor.gps.fix import Fix, NoFix
from sensor.gps.geodesy import distance_m
from sensor.gps.nmea import parse_sentence, with_checksum
from tests.gps.drive import START, drive, epoch_sentences, nmea_log


def decode(text: str, **kw: object) -> list[Fix | NoFix]:
    dec = NmeaFixDecoder("test", **kw)  # type: ignore[arg-type]
    return dec.feed(text.encode()) + dec.flush()


def test_drive_gives_one_fix_per_epoch_with_everything_merged() -> None:
    eps = drive(10)
    out = decode(nmea_log(eps, kinds=("RMC", "VTG", "GGA", "GSA")))
    assert len(out) == 10 and all(isinstance(f, Fix) for f in out)
    for ep, fix in zip(eps, out):
        assert fix.time_utc_s == pytest.approx(ep.time_utc_s)
        assert distance_m(fix.lat_deg, fix.lon_deg, ep.lat_deg, ep.lon_deg) < 0.05
        assert fix.alt_m == 520.0 and fix.mode == "3d" and fix.hdop == 0.9 and fix.satellites == 9
        assert fix.speed_m_s == pytest.approx(15.0, abs=1e-3) and fix.track_deg == pytest.approx(45.0)
        assert fix.source == "test"


def test_status_v_epochs_are_no_fix() -> None:
    eps = drive(10, lost=range(4, 7))
    out = decode(nmea_log(eps))
    kinds = ["fix" if isinstance(x, Fix) else "none" for x in out]
    assert kinds == ["fix"] * 4 + ["none"] * 3 + ["fix"] * 3
    assert out[4].time_utc_s == pytest.approx(eps[4].time_utc_s)
    assert out[4].reason == "RMC status V"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("GPGGA,120000.00,4807.038,N,01131.000,E,0,00,99.99,,,,,,", "GGA quality 0"),
        ("GPGGA,120000.00,4807.038,N,01131.000,E,6,05,2.0,500.0,M,,M,,", "GGA quality 6"),
        ("GPGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99", "GSA fix type 1"),
    ],
)
def test_any_sentence_saying_no_fix_wins(bad: str, reason: str) -> None:
    """RMC says A but another sentence of the same epoch says no fix: no position (never guessed)."""
    text = "".join(
        line + "\r\n"
        for line in [
            with_checksum("GPRMC,120000.00,A,4807.038,N,01131.000,E,0.0,,150624,,,A"),
            with_checksum(bad),
        ]
    )
    (out,) = decode(text)
    assert isinstance(out, NoFix) and out.reason == reason


def test_2d_fix_has_no_altitude() -> None:
    ep = drive(1)[0]
    lines = epoch_sentences(ep)
    lines[2] = with_checksum("GPGSA,A,2,02,05,12,,,,,,,,,,2.10,1.20,1.70")
    (fix,) = decode("\r\n".join(lines) + "\r\n")
    assert fix.mode == "2d" and fix.alt_m is None


def test_gns_only_receiver() -> None:
    eps = drive(3)
    out = decode(nmea_log(eps, talker="GN", kinds=("RMC", "GNS")))
    assert [f.mode for f in out] == ["3d"] * 3
    assert out[0].alt_m == 520.0 and out[0].satellites == 9


def test_vtg_fills_speed_when_rmc_lacks_it() -> None:
    lines = [
        with_checksum("GPRMC,120000.00,A,4807.038,N,01131.000,E,,,150624,,,A"),
        with_checksum("GPVTG,090.0,T,,M,10.0,N,18.52,K,A"),
        with_checksum("GPGGA,120000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
    ]
    (fix,) = decode("\r\n".join(lines) + "\r\n")
    assert fix.speed_m_s == pytest.approx(10 * 1852 / 3600) and fix.track_deg == 90.0


def test_disagreeing_position_sentences_drop_the_epoch() -> None:
    """A corrupt line that still passes its checksum must not become a position."""
    dec = NmeaFixDecoder("t")
    lines = [
        with_checksum("GPRMC,120000.00,A,4807.038,N,01131.000,E,0.0,,150624,,,A"),
        with_checksum("GPGGA,120000.00,4817.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),  # 18 km north
    ]
    assert dec.feed(("\r\n".join(lines) + "\r\n").encode()) + dec.flush() == []
    assert dec.stats.rejected_epochs == 1


def test_no_date_without_rmc_or_zda_unless_given() -> None:
    gga = [
        with_checksum("GPGGA,120000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
        with_checksum("GPGGA,120001.00,4807.039,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
    ]
    text = "\r\n".join(gga) + "\r\n"
    assert [x for x in decode(text) if isinstance(x, Fix)] == []
    fixes = decode(text, date=dt.date(2024, 6, 15))
    assert [f.time_utc_s for f in fixes] == [START.timestamp(), START.timestamp() + 1]


def test_date_from_laptop_clock_for_live_receivers_without_rmc() -> None:
    asm = EpochAssembler("t", date_from_clock=True)
    recv = dt.datetime(2024, 6, 16, 0, 0, 0, 300000, tzinfo=dt.UTC).timestamp()  # just after midnight
    s = parse_sentence(with_checksum("GPGGA,235959.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"))
    asm.feed(s, received_utc_s=recv)
    (fix,) = asm.flush()
    assert fix.time_utc_s == dt.datetime(2024, 6, 15, 23, 59, 59, tzinfo=dt.UTC).timestamp()


def test_midnight_rollover_after_last_rmc_date() -> None:
    lines = [
        with_checksum("GPRMC,235959.00,A,4807.038,N,01131.000,E,0.0,,150624,,,A"),
        with_checksum("GPGGA,000000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),  # RMC lost
    ]
    a, b = decode("\r\n".join(lines) + "\r\n")
    assert b.time_utc_s - a.time_utc_s == pytest.approx(1.0)


def test_zda_gives_the_date() -> None:
    lines = [
        with_checksum("GPZDA,120000.00,15,06,2024,00,00"),
        with_checksum("GPGGA,120000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
    ]
    (fix,) = decode("\r\n".join(lines) + "\r\n")
    assert fix.time_utc_s == START.timestamp()


def test_cycle_ender_is_learned_so_fixes_are_not_an_epoch_late() -> None:
    eps = drive(6)
    asm = EpochAssembler("t")
    emitted_at: list[int] = []  # index of the epoch being fed when each fix came out
    for i, ep in enumerate(eps):
        for line in epoch_sentences(ep, kinds=("RMC", "GGA", "GSA"), gsv=True):
            for _ in asm.feed(parse_sentence(line)):
                emitted_at.append(i)
    # epochs 0, 1, 2 close when the next one starts; after two epochs ending in the same sentence
    # (GPGSV), the GSV that ends epoch 2 closes it at once, and so on.
    assert emitted_at[:2] == [1, 2]
    assert emitted_at[2:] == [2, 3, 4, 5]
    assert len(asm.flush()) == 0


def test_misleading_ender_is_unlearned() -> None:
    """If the learned ender also appears mid-epoch, the straggler makes the assembler unlearn it."""
    asm = EpochAssembler("t")
    out = []
    eps = drive(8)
    for i, ep in enumerate(eps):
        lines = epoch_sentences(ep, kinds=("RMC", "GSA", "GGA") if i >= 3 else ("RMC", "GGA", "GSA"))
        for line in lines:
            out += asm.feed(parse_sentence(line))
    out += asm.flush()
    assert len({round(f.time_utc_s) for f in out}) == len(out)  # never two results for one epoch
    assert len(out) >= 7


def test_implausible_but_well_formed_epoch_is_rejected_not_raised() -> None:
    dec = NmeaFixDecoder("t")
    line = with_checksum("GPRMC,120000.00,A,0000.000,N,00000.000,E,0.0,,150624,,,A")  # null island
    assert dec.feed((line + "\r\n").encode()) + dec.flush() == []
    assert dec.stats.rejected_epochs == 1
    old = with_checksum("GPRMC,120000.00,A,4807.038,N,01131.000,E,0.0,,150699,,,A")  # 1999: a week-rollover bug
    assert dec.feed((old + "\r\n").encode()) + dec.flush() == []
