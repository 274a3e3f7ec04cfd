"""The simulator's campaign scenes and the labelling rules agree: every text a bundled scene's fake
station pushes gets the category the corpus README's labelling rules give its kind of message (the
prize lure is fraud even with its link; the bank's points-for-cash link and the operator's overdue
bill with a payment link are phishing)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sensor.intel.classify import classify
from sensor.sim.campaigns import CampaignSpec, fill

SCENES = Path(__file__).resolve().parents[2] / "recordings" / "scenes"
# the kind of message a template is, by its opening words, and its category under the labelling rules
KINDS = {
    "【工商银行】": "phishing",  # 积分 … 兑换 with a link in the bank's name (rule 2: credential page)
    "Dear customer, your bill": "phishing",  # the operator's number, pay at a look-alike page
    "恭喜！": "fraud",  # a prize nobody entered for (rule 2: prize lure → fraud even with a link)
    "【顺丰速运】": "phishing",  # a returned parcel: log in at a link to re-enter the address (rule 2)
    "VIP ": "gambling",  # a casino's welcome bonus, play at a link (rule 3)
    "【平安普惠】": "phishing",  # a loan 'approved' in a lender's name, withdraw at a link (rules 2 and 7)
}


def _campaigns() -> list[tuple[str, CampaignSpec]]:
    out = []
    for path in sorted(SCENES.rglob("*.toml")):
        scene = tomllib.loads(path.read_text(encoding="utf-8"))
        for n, fake in enumerate(scene.get("fakes", [])):
            for i, c in enumerate(fake.get("works", {}).get("campaigns", [])):
                spec = CampaignSpec(sender=c["sender"], template=c["template"], fill=c.get("fill", {}))
                out.append((f"{path.relative_to(SCENES)}:{n}:{c.get('name', i)}", spec))
    return out


CAMPAIGNS = _campaigns()


def test_every_bundled_campaign_is_a_known_kind():
    assert len(CAMPAIGNS) >= 10
    for where, spec in CAMPAIGNS:
        assert sum(spec.template.startswith(k) for k in KINDS) == 1, where


@pytest.mark.parametrize(("where", "spec"), CAMPAIGNS, ids=[w for w, _ in CAMPAIGNS])
def test_each_campaigns_texts_get_their_kinds_category(where, spec):
    want = next(v for k, v in KINDS.items() if spec.template.startswith(k))
    rng = np.random.default_rng(23)
    for _ in range(12):
        text = fill(spec, rng)
        verdict, reasons = classify(text, sender=spec.sender)
        assert verdict == want, (where, text, reasons)
