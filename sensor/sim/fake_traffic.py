"""A fake station at work over a scene: its phones (``sim.phones``) each answered, assigned and worked
(``sim.procedure``) on the cell's dedicated channels (``sim.allocation``), with every SMS of its
campaigns (``sim.campaigns``); and the ground truth the sensor is measured against.

Truth, per session: its index, the phone's identities (the simulator's own, made-up phones: the
truth is the answer key the tests hold the sensor's keyed hashes to), the channel, timeslot and
sub-channel, the times and FNs of the assignment and of the last block, the steps, the result and
cause, the timing advance, the number of I frames sent again; per SMS: the session, sender, text,
how many parts, and the first FN of every SDCCH block that carried a part of it.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from sensor.gsm import tdma
from sensor.l3.cell import CellParams
from sensor.l3.ie import LocationAreaIdentification
from sensor.schema import bounded
from sensor.sim.allocation import REJECT_WAIT_S, Allocator, Layout, Schedule, assign, fn_at, frames_of, lay_session
from sensor.sim.campaigns import CampaignSpec, message_for
from sensor.sim.phones import Phone
from sensor.sim.procedure import DownlinkStep, ProcedureSpec, plan_session, timing_advance

# China Standard Time, as a Chinese SMS centre stamps its messages
SCTS_ZONE = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class PhonesSpec:
    """The phones around a fake station (``sim.phones``)."""

    rate_per_s: float = bounded(1.0, min=0.0, max=50.0, doc="phones per second coming within reach")
    reach_m: float = bounded(300.0, min=1.0, max=20_000.0)
    lure_share: float | None = bounded(None, min=0.0, max=1.0, doc="share that follows; None: from the geometry")
    tmsi_share: float = bounded(0.7, min=0.0, max=1.0, doc="phones that show a TMSI rather than their IMSI")
    home_mcc: str | None = None  # the phones' network; default: the imitated cell's
    home_mnc: str | None = None
    home_lac: int | None = bounded(None, min=1, max=0xFFFE)  # where they come from; default: the imitated cell's


@dataclass(frozen=True, slots=True)
class WorkSpec:
    """What a fake station does to phones: who, how, and what it pushes."""

    phones: PhonesSpec = field(default_factory=PhonesSpec)
    procedure: ProcedureSpec = field(default_factory=ProcedureSpec)
    campaigns: list[CampaignSpec] = field(default_factory=list)
    scts: str = "2026-11-03T09:00:00"  # the SMS centre's clock at the scene's start (local time, UTC+8)

    def check(self, where: str) -> None:
        self.procedure.check(where)
        for i, c in enumerate(self.campaigns):
            c.check(f"{where} campaign {i + 1}")
        if self.procedure.sms_per_phone and not self.campaigns:
            from sensor.errors import ConfigError

            raise ConfigError(f"{where}: sms_per_phone is {self.procedure.sms_per_phone} but there is no campaign")


def _scts_start(spec: WorkSpec) -> datetime:
    return datetime.fromisoformat(spec.scts).replace(tzinfo=SCTS_ZONE)


def schedule_fake(
    phones: list[Phone],
    *,
    spec: WorkSpec,
    cell: CellParams,
    layout: Layout,
    home: LocationAreaIdentification,
    start_fn: int,
    rng: np.random.Generator,
) -> Schedule:
    """Every phone's access answered and, where a sub-channel is free, its session laid out."""
    out = Schedule()
    alloc = Allocator(layout)
    heap = [(p.arrival_s, p.index, 0) for p in phones]
    heapq.heapify(heap)
    by_index = {p.index: p for p in phones}
    scts0 = _scts_start(spec)
    reference = 0
    while heap:
        t_s, index, attempt = heapq.heappop(heap)
        phone = by_index[index]
        access_fn = fn_at(start_fn, t_s)
        got = assign(alloc, out, access_fn=access_fn, ra=phone.ra, distance_m=phone.distance_m, label=str(index))
        if got is None:
            if attempt == 0:  # T3122 later it tries again (TS 44.018 §3.3.1.1.3.2)
                heapq.heappush(heap, (t_s + REJECT_WAIT_S + float(rng.uniform(0, 1)), index, 1))
            continue
        sub, ia_fn = got
        messages = []
        for _ in range(spec.procedure.sms_per_phone if spec.campaigns else 0):
            messages.append(message_for(spec.campaigns, rng, scts=scts0 + timedelta(seconds=t_s), reference=reference))
            reference += 1
        plan = plan_session(phone, messages, spec=spec.procedure, cell=cell, home=home, rng=rng)
        # the phone tunes to the channel and sends its SABM: the first blocks are fill
        steps = [DownlinkStep(None) for _ in range(max(1, spec.procedure.phone_response_blocks))] + plan.steps
        ta = timing_advance(phone.distance_m)
        session = len(out.sessions)
        fns = lay_session(alloc, out, session=session, sub=sub, ia_fn=ia_fn, frames=frames_of(steps), cell=cell, ta=ta)
        out.sessions.append(
            {
                "session": session,
                "phone": phone.index,
                "imsi": phone.imsi,
                "tmsi": phone.tmsi,
                "imei": phone.imei,
                "identity_type": "imsi" if phone.tmsi is None else "tmsi",
                "channel": layout.name,
                "tn": layout.tn,
                "sub": sub,
                "access_fn": access_fn,
                "assignment_fn": ia_fn,
                "t_s": round((ia_fn - start_fn) * tdma.FRAME_DURATION_S, 6),
                "end_fn": fns[-1],
                "end_t_s": round((fns[-1] + 4 - start_fn) * tdma.FRAME_DURATION_S, 6),
                "procedure": "location_update",
                "identity_requests": plan.identity_requests,
                "auth": False,
                "ciphered": False,
                "sms": len(messages),
                "result": plan.result,
                "cause": plan.cause,
                "new_tmsi": plan.new_tmsi,
                "timing_advance": ta,
                "retransmissions": plan.retransmissions,
                "steps": [{"step": st.step, "fn": fn} for st, fn in zip(steps, fns, strict=True) if st.step],
            }
        )
        for k, sms in enumerate(messages):
            out.sms.append(
                {
                    "session": session,
                    "sender": sms.sender,
                    "text": sms.text,
                    "campaign": sms.campaign,
                    "parts": len(sms.tpdus),
                    "flash": spec.campaigns[sms.campaign].flash,
                    "silent": spec.campaigns[sms.campaign].silent,
                    "fns": [fn for st, fn in zip(steps, fns, strict=True) if st.sms == k],
                }
            )
    return out


def truth_of(schedule: Schedule) -> dict[str, Any]:
    """The part of ``fbs:scene`` that describes the dedicated traffic."""
    return {"sessions": schedule.sessions, "sms": schedule.sms, "assignment_rejects": schedule.rejects}
