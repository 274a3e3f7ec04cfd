"""Regional operator allocations as data: which downlink ARFCNs each network (MCC/MNC) holds.

Band plans are TOML files, one per region (``firmware-config/bandplans/<region>.toml``, format in
the README.md there), checked on load: region code = file name, MCCs of 3 digits and MNCs of 2-3
(strings: leading zeros matter), band names as in ``sensor.gsm.bands`` (TS 45.005 §2), every
ARFCN of every range inside its band, each MCC/MNC defined once. A site's own files in
``$XDG_CONFIG_HOME/fbs-sensor/bandplans/`` are read after the shipped ones; one with the same
region code replaces the shipped file.

A detection rule asks ``Allocations.allowed(mcc, mnc, arfcn, band)``: True when the ARFCN is in
that operator's holdings, False when the operator is known but holds nothing there, None when no
plan knows the operator. The 900 MHz bands nest (TS 45.005 §2: same carrier for the same ARFCN in
P-, E-, R- and ER-GSM), so a holding written under E-GSM900 answers for a cell reported in P-GSM900.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sensor.errors import ConfigError
from sensor.gsm.bands import BANDS
from sensor.gsm.bands import band as band_named
from sensor.resources import project_dir
from sensor.schema import load_dataclass, read_toml

_REGION_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_MCC_RE = re.compile(r"^\d{3}$")
_MNC_RE = re.compile(r"^\d{2,3}$")

# Bands whose ARFCNs map to the same carriers (TS 45.005 §2): a holding in one is a holding in all.
_SAME_RASTER = {"P-GSM900": "GSM900", "E-GSM900": "GSM900", "R-GSM900": "GSM900", "ER-GSM900": "GSM900"}


def _raster_family(band_name: str) -> str:
    return _SAME_RASTER.get(band_name, band_name)


@dataclass(frozen=True, slots=True)
class OperatorPlan:
    """One operator of a band plan (a ``[[operators]]`` table)."""

    name: str
    mcc: str
    mncs: list[str]
    arfcns: dict[str, list[tuple[int, int]]]  # band name → inclusive (first, last) ARFCN ranges
    source: str = ""


@dataclass(frozen=True, slots=True)
class BandPlan:
    """One region's file."""

    region: str
    name: str
    mccs: list[str]
    bands: list[str]
    operators: list[OperatorPlan] = field(default_factory=list)
    checked: str = ""


def shipped_bandplans_dir() -> Path:
    return project_dir("firmware-config") / "bandplans"


def user_bandplans_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fbs-sensor" / "bandplans"


def _band_extent(name: str) -> str:
    return ", ".join(f"{r.first}-{r.last}" for r in BANDS[name].ranges)


def validate_band_plan(plan: BandPlan, where: str, region: str | None = None) -> BandPlan:
    """Cross-field checks (the types were checked by the loader); ``region``: the file name's."""

    def fail(key: str, msg: str) -> None:
        raise ConfigError(f"{where}: key {key!r}: {msg}")

    if not _REGION_RE.match(plan.region):
        fail("region", f"{plan.region!r} must be a lower-case code (letters, digits, '-')")
    if region is not None and plan.region != region:
        fail("region", f"{plan.region!r} does not match the file name {region!r}")
    if not plan.mccs:
        fail("mccs", "give at least one MCC")
    for i, mcc in enumerate(plan.mccs):
        if not _MCC_RE.match(mcc):
            fail(f"mccs[{i}]", f"{mcc!r} must be 3 digits")
    if not plan.bands:
        fail("bands", "give at least one band")
    for i, b in enumerate(plan.bands):
        if b not in BANDS:
            fail(f"bands[{i}]", f"unknown band {b!r} (known: {', '.join(BANDS)})")
    seen: dict[tuple[str, str], str] = {}
    for i, op in enumerate(plan.operators):
        key = f"operators[{i}]"
        if not op.name.strip():
            fail(f"{key}.name", "must not be empty")
        if op.mcc not in plan.mccs:
            fail(f"{key}.mcc", f"{op.mcc!r} is not one of the region's mccs ({', '.join(plan.mccs)})")
        if not op.mncs:
            fail(f"{key}.mncs", "give at least one MNC")
        for j, mnc in enumerate(op.mncs):
            if not _MNC_RE.match(mnc):
                fail(f"{key}.mncs[{j}]", f"{mnc!r} must be 2 or 3 digits")
            if (op.mcc, mnc) in seen:
                fail(f"{key}.mncs[{j}]", f"{op.mcc}-{mnc} is already given to {seen[(op.mcc, mnc)]!r}")
            seen[(op.mcc, mnc)] = op.name
        if not op.arfcns:
            fail(f"{key}.arfcns", "give the operator's ARFCN ranges for at least one band")
        for band_name, ranges in op.arfcns.items():
            bkey = f"{key}.arfcns.{band_name}"
            if band_name not in BANDS:
                fail(bkey, f"unknown band {band_name!r} (known: {', '.join(BANDS)})")
            if band_name not in plan.bands:
                fail(bkey, f"band {band_name} is not in the region's bands ({', '.join(plan.bands)})")
            if not ranges:
                fail(bkey, "give at least one [first, last] range")
            b = BANDS[band_name]
            for k, (first, last) in enumerate(ranges):
                if first > last:
                    fail(f"{bkey}[{k}]", f"[{first}, {last}]: first is above last (a range may not wrap: split it)")
                outside = next((n for n in range(first, last + 1) if not b.contains(n)), None)
                if outside is not None:
                    fail(f"{bkey}[{k}]", f"ARFCN {outside} is not in band {band_name} ({_band_extent(band_name)})")
    return plan


def load_band_plan(path: str | Path) -> BandPlan:
    path = Path(path)
    plan = load_dataclass(BandPlan, read_toml(path), str(path))
    return validate_band_plan(plan, str(path), region=path.stem)


class Allocations:
    """The band plans of one or more regions, indexed by MCC/MNC."""

    def __init__(self, plans: dict[str, BandPlan], paths: dict[str, Path] | None = None) -> None:
        self.plans = dict(plans)
        self.paths = dict(paths or {})
        self._by_network: dict[tuple[str, str], OperatorPlan] = {}
        where: dict[tuple[str, str], str] = {}
        for region, plan in self.plans.items():
            for op in plan.operators:
                for mnc in op.mncs:
                    net = (op.mcc, mnc)
                    if net in self._by_network:
                        raise ConfigError(
                            f"{self._where(region)}: {op.mcc}-{mnc} ({op.name}) "
                            f"is already defined in {self._where(where[net])}"
                        )
                    self._by_network[net] = op
                    where[net] = region

    def _where(self, region: str) -> str:
        return str(self.paths.get(region, f"band plan {region!r}"))

    @property
    def regions(self) -> list[str]:
        return sorted(self.plans)

    def plan(self, region: str) -> BandPlan:
        try:
            return self.plans[region.lower()]
        except KeyError:
            raise ConfigError(
                f"no band plan for region {region!r} (known: {', '.join(self.regions) or 'none'})"
            ) from None

    def bands_for(self, region: str) -> list[str]:
        """The GSM bands in use in ``region`` (names as in ``sensor.gsm.bands``)."""
        return list(self.plan(region).bands)

    def operator(self, mcc: str, mnc: str) -> str | None:
        """The operator's name, None when no plan knows the network."""
        op = self._by_network.get((mcc, mnc))
        return None if op is None else op.name

    def holdings(self, mcc: str, mnc: str) -> dict[str, list[tuple[int, int]]] | None:
        """The operator's ARFCN ranges per band, None when no plan knows the network."""
        op = self._by_network.get((mcc, mnc))
        return None if op is None else {b: list(r) for b, r in op.arfcns.items()}

    def allowed(self, mcc: str, mnc: str, arfcn: int, band: str | None = None) -> bool | None:
        """True: ``arfcn`` is inside the operator's holdings (in ``band``, when given); False: the
        operator is known but holds no such ARFCN; None: no allocation is known for MCC/MNC.

        Without ``band`` the ARFCN number is looked up in all the operator's bands (DCS 1800 and
        PCS 1900 share 512-810: give the band where both may occur)."""
        op = self._by_network.get((mcc, mnc))
        if op is None:
            return None
        family = None if band is None else _raster_family(band_named(band).name)
        for band_name, ranges in op.arfcns.items():
            if family is not None and _raster_family(band_name) != family:
                continue
            if any(first <= int(arfcn) <= last for first, last in ranges):
                return True
        return False


def _plan_files(directories: list[Path]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for d in directories:
        if d.is_dir():
            for p in sorted(d.glob("*.toml")):
                files[p.stem] = p  # a later directory (the site's own) replaces an earlier one
    return files


def available_regions(directories: list[Path] | None = None) -> list[str]:
    """Region codes of every band plan file found (without loading them)."""
    dirs = directories if directories is not None else [shipped_bandplans_dir(), user_bandplans_dir()]
    return sorted(_plan_files(dirs))


def load_allocations(regions: list[str] | None = None, *, directories: list[Path] | None = None) -> Allocations:
    """The band plans of ``regions`` (None: every one found) from the shipped folder and the
    site's own (``directories`` replaces both, for tests and tools)."""
    dirs = directories if directories is not None else [shipped_bandplans_dir(), user_bandplans_dir()]
    files = _plan_files(dirs)
    if regions is None:
        wanted = sorted(files)
    else:
        wanted = [r.lower() for r in regions]
        for r in wanted:
            if r not in files:
                raise ConfigError(
                    f"no band plan for region {r!r} (known: {', '.join(sorted(files)) or 'none'}; "
                    f"a region is added as {shipped_bandplans_dir() / (r + '.toml')}, see README.md there)"
                )
    plans = {r: load_band_plan(files[r]) for r in wanted}
    return Allocations(plans, {r: files[r] for r in wanted})
