"""What a field officer types: network addresses."""

import pytest

from sensor.errors import ConfigError
from sensor.units import parse_bind


def test_parse_bind():
    assert parse_bind("127.0.0.1:8080", "dashboard address", example="127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_bind(":9000", "dashboard address", example="127.0.0.1:8080") == ("127.0.0.1", 9000)
    assert parse_bind("[::1]:8080", "dashboard address", example="127.0.0.1:8080") == ("::1", 8080)
    assert parse_bind("127.0.0.1:0", "dashboard address", example="127.0.0.1:8080") == ("127.0.0.1", 0)
    for bad in ("8080", "host:port", "1.2.3.4:70000"):
        with pytest.raises(ConfigError, match="dashboard address"):
            parse_bind(bad, "dashboard address", example="127.0.0.1:8080")
    with pytest.raises(ConfigError, match="--gsmtap '127.0.0.1:0': port out of range"):
        parse_bind("127.0.0.1:0", "--gsmtap", example="127.0.0.1:4729", min_port=1)
