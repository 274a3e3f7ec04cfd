"""The NMEA writer round-trips through our parser: what a recording's sidecar track says is read back."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sensor.gps.fix import Fix
from sensor.gps.nmea_write import fix_sentences, with_checksum
from sensor.gps.track import read_nmea_log


def test_checksum_of_a_known_sentence():
    # From the NMEA 0183 standard's usual example.
    assert with_checksum("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,") == (
        "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
    )


@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-179.9, 179.9),
    alt=st.floats(-100, 3000),
    speed=st.floats(0, 60),
    t=st.floats(1.7e9, 1.9e9),
)
def test_fix_round_trips(tmp_path_factory, lat, lon, alt, speed, t):
    assume(abs(lat) > 1e-3 or abs(lon) > 1e-3)  # 0,0 is a receiver's placeholder, never a fix
    fix = Fix(
        time_utc_s=round(t, 2),
        lat_deg=lat,
        lon_deg=lon,
        alt_m=round(alt, 1),
        mode="3d",
        hdop=1.2,
        satellites=9,
        speed_m_s=speed,
    )
    path = tmp_path_factory.mktemp("n") / "t.nmea"
    path.write_text("\n".join(fix_sentences(fix)) + "\n")
    (back,) = [f for f in read_nmea_log(path) if isinstance(f, Fix)]
    assert back.lat_deg == pytest.approx(lat, abs=2e-6) and back.lon_deg == pytest.approx(lon, abs=2e-6)
    assert back.alt_m == pytest.approx(fix.alt_m, abs=0.05) and back.mode == "3d"
    assert back.time_utc_s == pytest.approx(fix.time_utc_s, abs=0.011)
    assert back.satellites == 9 and back.hdop == pytest.approx(1.2)
