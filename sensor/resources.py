"""Where the project's data folders are: in the checkout, or installed beside the package."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def project_dir(name: str) -> Path:
    """``firmware-config`` or ``calibration``: the checkout's folder, else the installed copy.

    ``FBS_SENSOR_HOME`` points at another tree with the same layout (a site's own profiles).
    """
    home = os.environ.get("FBS_SENSOR_HOME")
    candidates = [Path(home) / name] if home else []
    candidates += [_CHECKOUT / name, Path(sys.prefix) / "share" / "fbs-sensor" / name]
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[0]


def site_config_dir(name: str) -> Path:
    """A site's own data folder ``name`` beside the shipped one: ``$XDG_CONFIG_HOME/fbs-sensor/NAME``
    (default ``~/.config/fbs-sensor/NAME``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fbs-sensor" / name
