"""Fake base stations as scene elements: a real operator's cell with the behaviours reported in
the literature applied (SnoopSnitch's IMSI-catcher score, SeaGlass, EFF Crocodile Hunter; Dabrowski
et al., "IMSI-catch me if you can", ACSAC 2014).

A fake station imitates one real cell (``imitate``): it broadcasts that operator's MCC/MNC and
copies its parameters, then each behaviour changes what a cheap IMSI catcher typically gets wrong
or sets on purpose. ``BEHAVIOURS`` is the table; unknown names are an error that lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sensor.l3.cell import CellParams
from sensor.sim.fake_traffic import WorkSpec
from sensor.sim.specs import CellSpec, FakeSpec


@dataclass(frozen=True, slots=True)
class Behaviour:
    description: str
    params: Callable[[CellParams, CellSpec, list[CellSpec]], dict[str, Any]]  # CellParams changes
    spec: Callable[[FakeSpec], dict[str, Any]] = lambda f: {}  # CellSpec changes
    needs: Callable[[FakeSpec], str | None] = lambda f: None  # why the fake spec is incomplete, or None


def _unused_lac(p: CellParams, victim: CellSpec, cells: list[CellSpec]) -> dict[str, Any]:
    used = {c.params.lac for c in cells}
    lac = (victim.params.lac + 1000) % 0xFFFE + 1
    while lac in used:
        lac = lac % 0xFFFE + 1
    return {"lac": lac}


def _bogus_neighbours(p: CellParams, victim: CellSpec, cells: list[CellSpec]) -> dict[str, Any]:
    """Six plausible-looking neighbours: the free ARFCNs of the band nearest the victim's."""
    from sensor.gsm.bands import band_of_arfcn

    used = {c.arfcn for c in cells} | {p.arfcn}
    band = band_of_arfcn(victim.arfcn, pcs=victim.band == "PCS1900")
    free = [int(a) for a in band.arfcns() if int(a) not in used]
    bogus = tuple(sorted(sorted(free, key=lambda a: (abs(a - victim.arfcn), a))[:6]))
    return {"neighbours": bogus, "neighbours_bis": (), "neighbours_ter": ()}


BEHAVIOURS: dict[str, Behaviour] = {
    "lac_unlike_surroundings": Behaviour(
        "a LAC no neighbouring cell of the operator uses (forces a location update)", _unused_lac
    ),
    "empty_neighbours": Behaviour(
        "no neighbour cells, so phones cannot leave",
        lambda p, v, c: {"neighbours": (), "neighbours_bis": (), "neighbours_ter": ()},
    ),
    "bogus_neighbours": Behaviour("neighbours on ARFCNs where nothing transmits", _bogus_neighbours),
    "high_cro": Behaviour(
        "cell reselection offset far above the operator's (lures phones)",
        lambda p, v, c: {"cro_db": 100, "temporary_offset_db": 0, "penalty_time_s": 20},
    ),
    "low_t3212": Behaviour(
        "periodic location update every 6 minutes (collects identities often)", lambda p, v, c: {"t3212_min": 6}
    ),
    "no_gprs": Behaviour("no GPRS/EDGE (2G-only catchers)", lambda p, v, c: {"gprs": False}),
    "cloned_identity": Behaviour(
        "the identity (LAC and cell ID) of a real cell, on another ARFCN",
        lambda p, v, c: {"lac": v.params.lac, "cell_id": v.params.cell_id},
        needs=lambda f: None,
    ),
    "off_plan_arfcn": Behaviour(
        "the operator's MCC/MNC on an ARFCN outside its allocation",
        lambda p, v, c: {},
    ),
    "large_cfo": Behaviour(
        "carrier frequency several ppm off (a cheap SDR clock, not an operator's GPS-locked one)",
        lambda p, v, c: {},
        spec=lambda f: {"cfo_ppm": 3.0 if f.cfo_ppm is None else f.cfo_ppm},
    ),
    "high_power": Behaviour(
        "much stronger than the operator's cells around (close to the road)",
        lambda p, v, c: {"ms_txpwr_max_cch": 0},
    ),
    "assignments_without_paging": Behaviour(
        "hands out channels to the phones that camp on it, but pages nobody (no network behind it)",
        lambda p, v, c: {},
        spec=lambda f: {"ccch_traffic": "catcher"},
    ),
    "transient": Behaviour(
        "present for a short time only",
        lambda p, v, c: {},
        needs=lambda f: None if (f.on_s > 0 or f.off_s is not None) else "transient needs on_s or off_s",
    ),
}


def _with_home(works: WorkSpec | None, victim: CellSpec) -> WorkSpec | None:
    """The phones a fake lures come from the network it imitates: their last location area is the
    victim cell's unless the scene says otherwise."""
    if works is None:
        return None
    ph = works.phones
    home = dataclasses.replace(
        ph,
        home_mcc=ph.home_mcc or victim.params.mcc,
        home_mnc=ph.home_mnc or victim.params.mnc,
        home_lac=ph.home_lac or victim.params.lac,
    )
    return dataclasses.replace(works, phones=home)


def expand_fake(fake: FakeSpec, victim: CellSpec, cells: list[CellSpec], *, index: int) -> CellSpec:
    """The ``CellSpec`` a fake station transmits."""
    unknown = [b for b in fake.behaviours if b not in BEHAVIOURS]
    if unknown:
        raise ValueError(f"unknown behaviour {unknown[0]!r} (known: {', '.join(BEHAVIOURS)})")
    if not fake.behaviours:
        raise ValueError("a fake station needs at least one behaviour")
    params = dataclasses.replace(victim.params, arfcn=fake.arfcn, cell_id=(victim.params.cell_id + 7919) % 65536)
    spec_changes: dict[str, Any] = {}
    for name in fake.behaviours:
        b = BEHAVIOURS[name]
        why = b.needs(fake)
        if why:
            raise ValueError(why)
        params = dataclasses.replace(params, **b.params(params, victim, cells))
        spec_changes.update(b.spec(fake))
    if fake.params:
        fields = {f.name for f in dataclasses.fields(CellParams)}
        bad = [k for k in fake.params if k not in fields]
        if bad:
            raise ValueError(f"params: unknown key {bad[0]!r}")
        params = dataclasses.replace(
            params, **{k: tuple(v) if isinstance(v, list) else v for k, v in fake.params.items()}
        )
    return CellSpec(
        arfcn=fake.arfcn,
        name=fake.name or f"fake{index}",
        band=fake.band,
        bsic=victim.bsic if fake.bsic is None else fake.bsic,
        params=params,
        power_dbfs=fake.power_dbfs,
        tx_power_dbm=fake.tx_power_dbm,
        position=fake.position,
        cfo_hz=0.0,
        cfo_ppm=spec_changes.get("cfo_ppm", fake.cfo_ppm or 0.0),
        drift_ppm_per_min=fake.drift_ppm_per_min,
        on_s=fake.on_s,
        off_s=fake.off_s,
        ccch_traffic=spec_changes.get("ccch_traffic", "idle"),
        dedicated=fake.dedicated,
        sdcch8_timeslot=fake.sdcch8_timeslot,
        works=_with_home(fake.works, victim),
        fake=True,
        behaviours=tuple(fake.behaviours),
    )
