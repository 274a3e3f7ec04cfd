"""``--bands`` text → GSM bands: band names as in ``sensor.gsm.bands`` (any case, with or without
dashes), common aliases, and region codes from the band plans (``cn`` = the bands in use there)."""

from __future__ import annotations

from collections.abc import Sequence

from sensor.errors import ConfigError
from sensor.gsm.allocations import Allocations, available_regions, load_allocations
from sensor.gsm.bands import BANDS, Band

# What people write for the bands of TS 45.005 §2. "gsm900" is E-GSM: P-GSM is a subset of it,
# and most networks use the extension (975-1023).
BAND_ALIASES: dict[str, str] = {
    "gsm900": "E-GSM900",
    "900": "E-GSM900",
    "egsm": "E-GSM900",
    "pgsm": "P-GSM900",
    "rgsm": "R-GSM900",
    "ergsm": "ER-GSM900",
    "dcs": "DCS1800",
    "gsm1800": "DCS1800",
    "1800": "DCS1800",
    "pcs": "PCS1900",
    "gsm1900": "PCS1900",
    "1900": "PCS1900",
    "850": "GSM850",
    "450": "GSM450",
    "480": "GSM480",
    "750": "GSM750",
}


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch not in "-_ ")


_LOOKUP: dict[str, str] = {_norm(name): name for name in BANDS} | {_norm(a): b for a, b in BAND_ALIASES.items()}


def resolve_bands(text: str | Sequence[str], *, allocations: Allocations | None = None) -> list[Band]:
    """The bands named in ``text`` (comma-separated, or a sequence of names), in the order given,
    each once. Region codes expand to their band plan's bands (from ``allocations``, else each
    region's file is loaded when named)."""
    tokens = [t.strip() for t in (text.split(",") if isinstance(text, str) else text)]
    tokens = [t for t in tokens if t]
    if not tokens:
        raise ConfigError("--bands: no band given (e.g. --bands gsm900,dcs or a region such as --bands cn)")
    names: list[str] = []
    for tok in tokens:
        name = _LOOKUP.get(_norm(tok))
        if name is not None:
            names.append(name)
            continue
        region = tok.lower()
        plans = allocations
        if plans is None and region in available_regions():
            plans = load_allocations([region])
        if plans is not None and region in plans.plans:
            names.extend(plans.bands_for(region))
            continue
        regions = allocations.regions if allocations is not None else available_regions()
        raise ConfigError(
            f"--bands: unknown band {tok!r} (bands: {', '.join(BANDS)}; aliases: {', '.join(BAND_ALIASES)}; "
            f"regions: {', '.join(regions) or 'none'})"
        )
    return [BANDS[n] for n in dict.fromkeys(names)]


def parse_arfcns(text: str) -> list[int]:
    """``--arfcns`` text: ``"40-80,90"`` → [40, 41, …, 80, 90] (order kept, each once)."""
    out: list[int] = []
    for tok in (t.strip() for t in text.split(",")):
        if not tok:
            continue
        first, sep, last = tok.partition("-")
        try:
            a, b = (int(first), int(last)) if sep else (int(first), int(first))
        except ValueError:
            raise ConfigError(f"--arfcns: {tok!r} is not an ARFCN or a range like 40-80") from None
        if not (0 <= a <= 1023 and 0 <= b <= 1023) or a > b:
            raise ConfigError(f"--arfcns: {tok!r}: ARFCNs are 0-1023, a range is FIRST-LAST with FIRST ≤ LAST")
        out.extend(range(a, b + 1))
    if not out:
        raise ConfigError("--arfcns: no ARFCN given")
    return list(dict.fromkeys(out))
