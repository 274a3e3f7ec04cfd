"""Official SMS senders as data: which service numbers and domains belong to which brand.

One TOML file per region, ``firmware-config/senders/<region>.toml`` (format in the README.md there),
each brand citing the public sources of its numbers and domains; a brand without a source is a
configuration error, so nothing unchecked can make a message look spoofed. A site's own files in
``$XDG_CONFIG_HOME/fbs-sensor/senders/`` are read after the shipped ones; one with the same region
code replaces the shipped file.

:class:`Senders` answers: whose number is this (``brand_of_number``), which brand does this name
mean (``brand_named``: the longest alias inside a signature, case-folded and NFKC-folded), and is
this registered domain one of the brand's.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sensor.errors import ConfigError
from sensor.resources import project_dir, site_config_dir
from sensor.schema import load_dataclass, read_toml

KINDS = ("bank", "operator", "payment", "government", "transport", "other")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_NUMBER_RE = re.compile(r"^\d{3,20}$")
_DOMAIN_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_REGION_RE = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class Brand:
    """One ``[[brands]]`` table."""

    id: str
    name: str
    kind: str
    aliases: list[str]
    numbers: list[str]
    sources: list[str]
    domains: list[str] = field(default_factory=list)
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class SenderTable:
    """One region's file."""

    region: str
    name: str
    calling_code: str
    brands: list[Brand] = field(default_factory=list)
    checked: str = ""


def shipped_dir() -> Path:
    return project_dir("firmware-config") / "senders"


def fold_name(s: str) -> str:
    """How names are compared: NFKC, case-folded, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s).casefold())


def validate(table: SenderTable, where: str, region: str | None = None) -> SenderTable:
    def fail(msg: str) -> None:
        raise ConfigError(f"{where}: {msg}")

    if not _REGION_RE.match(table.region):
        fail(f"region {table.region!r}: lower-case letters, digits and '-'")
    if region is not None and table.region != region:
        fail(f"region {table.region!r} differs from the file name {region!r}")
    if not table.calling_code.isdigit():
        fail(f"calling_code {table.calling_code!r}: digits")
    seen_ids: set[str] = set()
    seen_numbers: dict[str, str] = {}
    for i, b in enumerate(table.brands):
        at = f"brands[{i}] ({b.id})"
        if not _ID_RE.match(b.id):
            fail(f"{at}: id must be lower-case letters, digits and '_'")
        if b.id in seen_ids:
            fail(f"{at}: id defined twice")
        seen_ids.add(b.id)
        if b.kind not in KINDS:
            fail(f"{at}: kind {b.kind!r} is not one of {', '.join(KINDS)}")
        if not b.sources or not all(s.strip() for s in b.sources):
            fail(f"{at}: no source: every brand cites where its numbers and domains come from")
        if not b.aliases or not all(a.strip() for a in b.aliases):
            fail(f"{at}: aliases must list at least one name")
        if not b.numbers:
            fail(f"{at}: numbers must list at least one number")
        for n in b.numbers:
            if not _NUMBER_RE.match(n):
                fail(f"{at}: number {n!r}: 3-20 digits")
            if n in seen_numbers:
                fail(f"{at}: number {n} already belongs to {seen_numbers[n]}")
            seen_numbers[n] = b.id
        for d in b.domains:
            if not _DOMAIN_RE.match(d):
                fail(f"{at}: domain {d!r}: a registered domain in lower case (ASCII/punycode)")
    return table


def load_file(path: Path) -> SenderTable:
    table = load_dataclass(SenderTable, read_toml(path), str(path))
    return validate(table, str(path), region=path.stem)


class Senders:
    """The brands of every loaded table, indexed by number and by alias."""

    def __init__(self, tables: list[SenderTable]):
        self.tables = tables
        self.brands: dict[str, Brand] = {}
        self._by_number: dict[str, Brand] = {}
        self._aliases: list[tuple[str, Brand]] = []
        self.calling_codes = {t.calling_code for t in tables}
        for t in tables:
            for b in t.brands:
                self.brands[b.id] = b
                for n in b.numbers:
                    self._by_number[n] = b
                for a in {*b.aliases, b.name, *([b.name_en] if b.name_en else [])}:
                    self._aliases.append((fold_name(a), b))
        self._aliases.sort(key=lambda x: -len(x[0]))

    def brand_of_number(self, digits: str) -> Brand | None:
        """The brand a national number (digits, no country code) belongs to, or None."""
        return self._by_number.get(digits)

    def brand_named(self, name: str) -> Brand | None:
        """The brand whose longest alias is inside ``name`` (a signature's text), or None.

        Short aliases (one or two characters of Latin script, like ``CB``) must be the whole name."""
        folded = fold_name(name)
        if not folded:
            return None
        for alias, brand in self._aliases:
            if alias == folded or (alias in folded and (len(alias) >= 3 or not alias.isascii())):
                return brand
        return None

    def brands_in(self, folded_text: str) -> list[Brand]:
        """The brands a text names anywhere (not only in its signature), each once, in the order
        of their first mention. ``folded_text`` is compared as :func:`fold_name` folds (spaces
        removed); an alias of Latin script must stand alone (``ccb`` is not inside ``accbx``), and a
        longer alias claims its characters first (``中国工商银行`` is ICBC, not also ``中国银行``'s ...)."""
        text = fold_name(folded_text)
        taken = [False] * len(text)
        found: list[tuple[int, Brand]] = []
        for alias, brand in self._aliases:  # longest first
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                free = not any(taken[start:end])
                alone = not alias.isascii() or not (_latin(text, start - 1) or _latin(text, end))
                if free and alone:
                    for i in range(start, end):
                        taken[i] = True
                    found.append((start, brand))
                start = text.find(alias, start + 1)
        out: dict[str, Brand] = {}
        for _, brand in sorted(found, key=lambda x: x[0]):
            out.setdefault(brand.id, brand)
        return list(out.values())


def _latin(text: str, i: int) -> bool:
    """Whether ``text[i]`` exists and is an ASCII letter or digit."""
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def load(dirs: list[Path] | None = None) -> Senders:
    """Every region's table: the shipped folder, then the site's folder (same region replaces)."""
    files: dict[str, Path] = {}
    for d in dirs if dirs is not None else [shipped_dir(), site_config_dir("senders")]:
        if d.is_dir():
            for p in sorted(d.glob("*.toml")):
                files[p.stem] = p
    return Senders([load_file(p) for _, p in sorted(files.items())])


@functools.cache
def default() -> Senders:
    """The tables as shipped plus the site's, loaded once per process."""
    return load()
