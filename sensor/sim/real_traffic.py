"""A real network cell's dedicated traffic: phones assigned, authenticated, and ciphered from the
Ciphering Mode Command on (TS 44.018 §3.4.7), so that nothing after it is readable; some accesses
rejected, some sent to hopping channels a single-carrier receiver cannot follow.

Each session: Immediate Assignment on the CCCH; on the SDCCH the UA echoing the phone's first message
(a location update with its TMSI, a CM service request or a paging response), Authentication Request
(TS 24.008 §9.2.2, a random RAND), Ciphering Mode Command (A5/1, §9.1.9); then ``ciphered_blocks``
blocks whose bursts carry keystream-XORed bits (their plaintext is fill here: what they say does not
matter, no receiver can read it), the SACCH ciphered from the same moment. A sensor must report these
sessions as ciphered and never an SMS or identity from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensor.gsm import tdma
from sensor.l2.sender import DownlinkLink
from sensor.l2.ts44006 import Channel
from sensor.l3.cell import CellParams
from sensor.l3.ie import ChannelDescription, LocationAreaIdentification
from sensor.l3.ie_mm import MobileIdentity
from sensor.l3.ie_rr import CipherModeSetting, RequestReference
from sensor.l3.mm import AuthenticationRequest, CMServiceRequest
from sensor.l3.rr_ccch import ImmediateAssignment
from sensor.l3.rr_dedicated import CipheringModeCommand, PagingResponse
from sensor.schema import bounded
from sensor.sim.allocation import Allocator, Layout, Schedule, assign, fn_at, lay_session
from sensor.sim.phones import Phone, arrivals
from sensor.sim.procedure import lu_request
from sensor.sim.traffic import ScheduledBlock

A5_1_CODE = 0  # TS 44.018 §10.5.2.9: algorithm identifier 0 = A5/1
MS_CLASSMARK_2 = bytes.fromhex("5758a6")  # TS 24.008 §10.5.1.6: a phase 2+ handset (A5/1, SMS, ...)
CM_SERVICE_SMS = 4  # TS 24.008 §10.5.3.3: short message service
FIRST_MESSAGES = ("location_update", "cm_service", "paging_response")
TCH_F_CODE = 0b00001  # TS 44.018 Table 10.5.2.5.1: TCH/F + ACCHs


@dataclass(frozen=True, slots=True)
class RealTrafficSpec:
    """Dedicated traffic of a real cell (scene data)."""

    sessions_per_s: float = bounded(0.2, min=0.0, max=20.0)
    ciphered_blocks: int = bounded(8, min=1, max=200, doc="blocks after the Ciphering Mode Command")
    hopping_share: float = bounded(0.1, min=0.0, max=1.0, doc="assignments to a hopping TCH, not followed")


def first_message(kind: str, phone: Phone, home: LocationAreaIdentification) -> bytes:
    tmsi = MobileIdentity.of_tmsi(phone.tmsi if phone.tmsi is not None else 0x1234_5678)
    if kind == "location_update":
        return lu_request(phone, home)
    if kind == "cm_service":
        return CMServiceRequest(
            cm_service_type=CM_SERVICE_SMS, ms_classmark_2=MS_CLASSMARK_2, mobile_identity=tmsi
        ).to_l2()
    return PagingResponse(ms_classmark_2=MS_CLASSMARK_2, mobile_identity=tmsi).to_l2()


def schedule_real(
    *,
    spec: RealTrafficSpec,
    cell: CellParams,
    layout: Layout,
    duration_s: float,
    start_fn: int,
    rng: np.random.Generator,
) -> Schedule:
    """The cell's sessions over ``duration_s``: assignments, a readable start, then ciphering."""
    out = Schedule()
    alloc = Allocator(layout)
    phones = arrivals(
        rate_per_s=spec.sessions_per_s, duration_s=duration_s, start_s=0.0, rng=rng, mcc=cell.mcc, mnc=cell.mnc,
        tmsi_share=1.0, neci=bool(cell.neci), reach_m=1.0, lure_share=1.0, geometry=None,
    )  # fmt: skip
    home = LocationAreaIdentification(cell.mcc, cell.mnc, cell.lac)
    for phone in phones:
        access_fn = fn_at(start_fn, phone.arrival_s)
        if rng.uniform() < spec.hopping_share:  # a TCH on hopping carriers: assigned, never followed
            ia_fn = alloc.ccch_block(access_fn + 3)
            tn, maio, hsn = 1 + int(rng.integers(0, 7)), int(rng.integers(0, 8)), int(rng.integers(0, 64))
            hopping = ChannelDescription(TCH_F_CODE, tn, layout.tsc, maio=maio, hsn=hsn)
            ia = ImmediateAssignment(
                channel_description=hopping,
                request_reference=RequestReference.from_fn(phone.ra, access_fn),
                mobile_allocation=bytes([0x0F]),
            ).to_l2()
            out.blocks.append(ScheduledBlock(0, ia_fn, "CCCH", None, ia))
            out.sessions.append(
                {"session": len(out.sessions), "hopping": True, "assignment_fn": ia_fn, "ciphered": None}
            )
            continue
        got = assign(alloc, out, access_fn=access_fn, ra=phone.ra, distance_m=None, label=str(phone.index))
        if got is None:
            continue
        sub, ia_fn = got
        kind = FIRST_MESSAGES[int(rng.integers(0, len(FIRST_MESSAGES)))]
        link = DownlinkLink(Channel.SDCCH)
        frames: list[bytes | None] = [None, link.block(link.ua(first_message(kind, phone, home)))]
        auth = AuthenticationRequest(rand=rng.bytes(16), cksn=int(rng.integers(0, 7))).to_l2()
        frames += [link.block(f) for f in link.send(auth)]
        frames.append(None)  # the phone computes SRES
        link.ack()
        cmc = CipheringModeCommand(cipher_mode_setting=CipherModeSetting(True, A5_1_CODE)).to_l2()
        frames += [link.block(f) for f in link.send(cmc)]
        ciphered_from = len(frames)
        frames += [None] * spec.ciphered_blocks
        session = len(out.sessions)
        fns = lay_session(
            alloc, out, session=session, sub=sub, ia_fn=ia_fn, frames=frames, cell=cell, ta=0,
            ciphered_from=ciphered_from, keystream_seed=int(rng.integers(1, 1 << 62)),
        )  # fmt: skip
        out.sessions.append(
            {
                "session": session,
                "hopping": False,
                "channel": layout.name,
                "tn": layout.tn,
                "sub": sub,
                "assignment_fn": ia_fn,
                "t_s": round((ia_fn - start_fn) * tdma.FRAME_DURATION_S, 6),
                "end_fn": fns[-1],
                "procedure": kind,
                "auth": True,
                "ciphered": True,
                "ciphering_fn": fns[ciphered_from],
                "sms": 0,
            }
        )
    return out
