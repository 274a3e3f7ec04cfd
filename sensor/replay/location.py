"""Where the suspects of a replay are: the cells heard on its recordings located as the collector
locates them live, each recording one visit (``sensor/locate/visits.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sensor.cells import CellObservation

SPREAD_MARGIN = 0.9  # below the fit's separation: its plane's origin and scale differ slightly from spread_m's


def spread_m(readings: list[tuple[float, float, float, float]]) -> float:
    """The diagonal of the box around the readings' positions (lat, lon, ...) on a local plane: no two
    positions are further apart, so below the fit's ``min_separation_m`` they count as one."""
    from sensor.locate.enu import enu_from_lat_lon

    a = np.array([r[:2] for r in readings], np.float64).reshape(-1, 2)
    a = a[np.all(np.isfinite(a), axis=1)]
    if len(a) < 2:
        return 0.0
    east, north = enu_from_lat_lon(a[:, 0], a[:, 1], float(np.mean(a[:, 0])), float(a[0, 1]))
    return float(np.hypot(np.ptp(east), np.ptp(north)))


def located(
    cells: list[CellObservation],
    objects: list[dict[str, Any]],
    spans: list[tuple[float, float, float, float]],
) -> list[dict[str, Any]]:
    """CONTRACT.md's location objects: suspicious and fake cells heard from at least three distinct
    positions (``sensor/locate/fit.py`` refuses otherwise, and then there is no object), with the
    receiver-side shadowing the normal cells heard alongside reveal taken off (``sensor/locate/reference.py``).
    Each recording of ``spans`` (:func:`tunings`) is one visit: every cell's reading on it is formed
    as the live daemon forms its observation (:func:`locate_visits`), so a drive replayed is located
    as the collector locates it live. A moving receiver's carriers make it power and Doppler together
    (``sensor/locate/joint.py``), with the receiver's drift from the normal cells and the censored
    readings: where a recording covered the suspect and it was not heard."""
    # A cell heard from one place (a parked car, a recording's fixed position) is refused by the fit
    # (fewer than min_positions distinct positions): it is not fitted, and the fit's scipy.optimize
    # and scipy.stats (0.56 s of a replay's start-up, python -X importtime) are imported only for
    # a suspect heard across more than min_separation_m; the fit's settings only for a suspect heard
    # at three readings or more.
    heard = [(c, o) for c, o in zip(cells, objects, strict=True) if o["verdict"] != "normal" and len(c.readings) >= 3]
    if not heard:
        return []
    from sensor.locate.model import LocateConfig

    apart_m = SPREAD_MARGIN * LocateConfig().min_separation_m
    suspects = [(c, o) for c, o in heard if spread_m(c.readings) >= apart_m]
    if not suspects:
        return []
    from sensor.locate.estimate import Estimate, location_object

    out = []
    for c, o in suspects:
        est = locate_visits(c, cells, objects, visits_of(cells, spans))
        if isinstance(est, Estimate):
            out.append(location_object(o, est))
    return out


def visits_of(
    cells: list[CellObservation], spans: list[tuple[float, float, float, float]]
) -> list[tuple[float, float, tuple[int, ...]]]:
    """The recordings' ``spans`` (:func:`tunings`) as visits ``(t0_s, t1_s, searched ARFCNs)``: the
    ARFCNs of the ``cells`` whose carrier lies in the band the tuning decodes (``BAND_SHARE``)."""
    from sensor.locate.visits import BAND_SHARE

    out = []
    for f_hz, rate, t0, t1 in spans:
        band = {c.arfcn for c in cells if c.downlink_hz and abs(c.downlink_hz - f_hz) <= BAND_SHARE * rate / 2}
        out.append((t0, t1, tuple(sorted(band))))
    return out


def locate_visits(
    cell: CellObservation,
    cells: list[CellObservation],
    objects: list[dict[str, Any]],
    visits: list[tuple[float, float, tuple[int, ...]]],
    receiver: str = "",
) -> Any:
    """Where ``cell`` is from one receiver's ``cells`` (their verdicts in ``objects``) read over
    ``visits`` ``(t0_s, t1_s, searched ARFCNs)``: each cell's reading per visit
    (``sensor/locate/visits.py``, what the live daemon publishes), then the fit the collector makes of
    them (power + Doppler while moving, else power alone with the real cells' shadowing taken off)."""
    from sensor.locate.joint import has_bearing_information, locate_joint
    from sensor.locate.reference import locate_among
    from sensor.locate.visits import joint_inputs, power_readings, utc_offset_s, visit_reading

    offsets = [utc_offset_s(cells, t0, t1) for t0, t1, _ in visits]

    def read(c: CellObservation) -> list[Any]:
        out = []
        for (t0, t1, searched), off in zip(visits, offsets, strict=True):
            vr = visit_reading(c, t0, t1, offset_s=off, receiver=receiver, searched=searched)
            if vr is not None:
                out.append(vr)
        return out

    own = read(cell)
    normal = [read(c) for c, o in zip(cells, objects, strict=True) if o["verdict"] == "normal" and c is not cell]
    others = [r for c in cells if c is not cell for r in read(c)]
    rows, refs, missed = joint_inputs(cell.arfcn, own, normal, others)
    if has_bearing_information(rows):
        return locate_joint(rows, refs, missed)
    return locate_among(power_readings(own), [power_readings(rs) for rs in normal if rs])
