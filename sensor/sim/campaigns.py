"""SMS campaigns of a fake station, as scene data: templates whose placeholders are filled per phone,
so that one campaign yields many near-identical texts, as the pushes court records describe do
(the same bank "points expire" text with another link or call-back number to each phone).

A template is text with ``{name}`` placeholders; ``fill`` gives each name a list of choices, and a
choice may itself hold generators: ``{digits:N}`` (N random digits), ``{letters:N}`` (N random
lower-case letters), ``{amount}`` (a sum between 100 and 9,999 with two decimals). Which choice and
which random characters a phone gets is drawn from the scene's seeded generator, so a scene renders
the same texts every time. ``{{`` and ``}}`` stand for literal braces.

A campaign sends from ``sender`` (digits: a numeric short code or number such as 95588, 10086 or
+8613800138000; anything else: an alphanumeric name), as GSM 7-bit when the text fits the default
alphabet, else UCS2 (``sms.compose``), optionally flash (class 0) or silent (type 0).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from sensor.errors import ConfigError
from sensor.schema import bounded
from sensor.sms.compose import compose_deliver
from sensor.sms.errors import SmsEncodeError
from sensor.sms.tpdu import SmsDeliver

# one pass over a template: a literal brace, a generator, or a placeholder
_TOKEN = re.compile(r"\{\{|\}\}|\{(digits|letters):(\d{1,3})\}|\{(amount)\}|\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    """One SMS campaign: who it claims to be, its template, and how its placeholders are filled."""

    sender: str
    template: str
    fill: dict[str, list[str]] = field(default_factory=dict)
    weight: float = bounded(1.0, min=0.0, doc="relative share of the phones that get this campaign")
    flash: bool = False  # message class 0: shown at once, not stored
    silent: bool = False  # TP-PID 0x40, short message type 0: the phone acknowledges and shows nothing
    reference_bits: int = bounded(8, choices=(8, 16), doc="concatenation reference of long texts")
    name: str = ""

    def check(self, where: str) -> None:
        """The template's placeholders all have choices, and the longest filled text can be sent."""
        missing = sorted({m.group(4) for m in _TOKEN.finditer(self.template) if m.group(4)} - set(self.fill))
        if missing:
            raise ConfigError(f"{where}: placeholders without choices in fill: {', '.join(missing)}")
        for name, choices in self.fill.items():
            if not choices:
                raise ConfigError(f"{where}: fill.{name} has no choices")
        try:
            longest = {n: max(c, key=len) for n, c in self.fill.items()}
            compose_deliver(_expand(self.template, longest, None), self.sender)
        except SmsEncodeError as exc:
            raise ConfigError(f"{where}: {exc}") from None


@dataclass(frozen=True, slots=True)
class FilledSms:
    """One phone's message of a campaign: its text and the TPDUs that carry it."""

    campaign: int  # index of the campaign in the fake's list
    sender: str
    text: str
    tpdus: tuple[SmsDeliver, ...]  # one, or the concatenated parts in order


def _expand(template: str, chosen: dict[str, str], rng: np.random.Generator | None) -> str:
    """``template`` with its placeholders replaced by ``chosen`` and its generators run (without
    ``rng``: the longest value each can give, to check a campaign's size)."""

    def one(m: re.Match[str]) -> str:
        whole, kind, count, amount, name = m.group(0), m.group(1), m.group(2), m.group(3), m.group(4)
        if whole in ("{{", "}}"):
            return whole[0]
        if name is not None:
            return _expand(chosen[name], {}, rng)
        if amount is not None:
            cents = 999_999 if rng is None else int(rng.integers(10_000, 1_000_000))
            return f"{cents // 100:,}.{cents % 100:02d}"
        alphabet = string.digits if kind == "digits" else string.ascii_lowercase
        if rng is None:
            return alphabet[-1] * int(count)
        return "".join(alphabet[i] for i in rng.integers(0, len(alphabet), int(count)))

    return _TOKEN.sub(one, template)


def fill(spec: CampaignSpec, rng: np.random.Generator) -> str:
    """The template with one choice per placeholder and its generators run."""
    chosen = {name: choices[int(rng.integers(0, len(choices)))] for name, choices in spec.fill.items()}
    return _expand(spec.template, chosen, rng)


def pick(campaigns: list[CampaignSpec], rng: np.random.Generator) -> int:
    """The index of the campaign one phone gets, by weight."""
    weights = np.array([c.weight for c in campaigns], np.float64)
    return int(rng.choice(len(campaigns), p=weights / weights.sum()))


def message_for(
    campaigns: list[CampaignSpec], rng: np.random.Generator, *, scts: datetime, reference: int
) -> FilledSms:
    """One phone's SMS: a campaign by weight, its template filled, composed into TPDUs."""
    index = pick(campaigns, rng)
    spec = campaigns[index]
    text = fill(spec, rng)
    tpdus = compose_deliver(
        text,
        spec.sender,
        scts=scts,
        flash=spec.flash,
        silent=spec.silent,
        reference=reference % (1 << spec.reference_bits),
        reference_bits=spec.reference_bits,
    )
    return FilledSms(index, spec.sender, text, tuple(tpdus))
