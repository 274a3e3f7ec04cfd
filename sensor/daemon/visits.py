"""An observation's localisation fields, formed as the replay forms them: the cell's one reading on
a tuning visit (``sensor/locate/visits.py``), so that the collector fits live what a replay of the
same drive fits."""

from __future__ import annotations

import math
from typing import Any

from sensor.cells import CellObservation
from sensor.locate.visits import visit_reading
from sensor.scan.scheduler import TuningVisit
from sensor.utc import utc_iso


def visit_observation(
    obj: dict[str, Any], cell: CellObservation | None, v: TuningVisit, searched: tuple[int, ...], offset_s: float | None
) -> None:
    """An observation's localisation fields as the cell's reading on the visit ``v``
    (``sensor/locate/visits.py``: what a replay of the same drive forms from its recordings): the
    power (dBm shifted by as much), the position and the carrier with the velocity then, the time on
    the UTC clock. Unchanged when the cell has no positioned reading in the visit."""
    if cell is None:
        return
    vr = visit_reading(cell, v.started_s, v.started_s + v.dwell_s, offset_s=offset_s, searched=searched)
    if vr is None:
        return
    if obj.get("rssi_dbm") is not None and cell.rssi_dbfs.value is not None:
        obj["rssi_dbm"] = obj["rssi_dbm"] + vr.power_db - cell.rssi_dbfs.value
    obj["rssi_dbfs"] = vr.power_db
    known = math.isfinite(vr.freq_hz)
    obj["freq_hz"], obj["freq_sd_hz"] = (vr.freq_hz, vr.freq_sd_hz) if known else (None, None)
    obj["position"] = {
        **(obj["position"] or {}),
        "lat_deg": vr.lat_deg,
        "lon_deg": vr.lon_deg,
        "speed_m_s": vr.speed_m_s if math.isfinite(vr.speed_m_s) else None,
        "heading_deg": vr.heading_deg if math.isfinite(vr.heading_deg) else None,
    }
    if offset_s is not None:
        obj["t_utc"] = utc_iso(vr.time_s)
