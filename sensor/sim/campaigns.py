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
alphabet, else UCS2 (``sms.compose``), optionally flash (class 0) or silent (type 0); or, with
``coding = "8bit"``, as one 8-bit data message holding the text's UTF-8 octets, with WAP Push port
addressing (destination 2948, TS 23.040 §9.2.3.24.4) when ``wap_push`` is set: the link inside an
8-bit message that pushes malware.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from sensor.errors import ConfigError
from sensor.schema import bounded
from sensor.sms.address import Address
from sensor.sms.compose import compose_deliver
from sensor.sms.dcs import encode_dcs
from sensor.sms.errors import SmsEncodeError
from sensor.sms.timestamp import utc_now_scts
from sensor.sms.tpdu import SmsDeliver
from sensor.sms.ts23038 import Alphabet, MessageClass
from sensor.sms.ts23040 import PID_DEFAULT, PID_TYPE_0, UD_MAX_OCTETS, WAP_PUSH_PORT
from sensor.sms.udh import Ports, encode_udh
from sensor.sms.userdata import UserData

# the WAP connectionless session port a push comes from (WAP-259-WDP, registered port 9200)
WAP_PUSH_SOURCE_PORT = 9200

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
    coding: str = bounded("auto", choices=("auto", "gsm7", "ucs2", "8bit"), doc="the TP-DCS alphabet")
    wap_push: bool = False  # 8bit only: WAP Push port addressing (destination 2948, source 9200)
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
            _compose(self, _expand(self.template, longest, None), scts=None, reference=0)
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
    return FilledSms(index, spec.sender, text, tuple(_compose(spec, text, scts=scts, reference=reference)))


def _compose(spec: CampaignSpec, text: str, *, scts: datetime | None, reference: int) -> list[SmsDeliver]:
    if spec.coding != "8bit":
        return compose_deliver(
            text,
            spec.sender,
            scts=scts,
            alphabet=spec.coding,
            flash=spec.flash,
            silent=spec.silent,
            reference=reference % (1 << spec.reference_bits),
            reference_bits=spec.reference_bits,
        )
    header = (Ports(WAP_PUSH_PORT, WAP_PUSH_SOURCE_PORT),) if spec.wap_push else None
    data = text.encode("utf-8")
    room = UD_MAX_OCTETS - (len(encode_udh(header)) if header else 0)
    if len(data) > room:
        raise SmsEncodeError(f"an 8-bit message holds {room} octets here, the text has {len(data)}")
    deliver = SmsDeliver(
        Address.parse(spec.sender),
        scts or utc_now_scts(),
        UserData(data=data, udh=header),
        pid=PID_TYPE_0 if spec.silent else PID_DEFAULT,
        dcs=encode_dcs(Alphabet.EIGHT_BIT, MessageClass.CLASS_0 if spec.flash else None),
    )
    deliver.to_bytes()  # every field checked now
    return [deliver]
