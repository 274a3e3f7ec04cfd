"""What a fake station does to one phone on its dedicated channel, as the downlink frames it sends,
block by block: the procedure of the court records and the IMSI-catcher literature, with variants as
scene data.

The phone's random access is answered on the CCCH (``sim.allocation``); then, on the assigned SDCCH
sub-channel, one LAPDm frame per downlink block (TS 44.006; window 1 on the SDCCH, so each I frame is
acknowledged before the next):

1. UA answering the phone's SABM, echoing its Location Updating Request (TS 44.006 §5.4.1.4
   contention resolution; TS 24.008 §9.2.15, with the phone's TMSI or IMSI);
2. Identity Request for the IMSI (§9.2.10), then optionally the IMEI / IMEISV, each answered by the
   phone's Identity Response on the uplink, which the next downlink frame acknowledges (its N(R));
3. for each SMS: SAPI 3 established by the network (SABM, the phone's UA), CP-DATA carrying RP-DATA
   carrying the SMS-DELIVER (TS 24.011 §7.2.1, §7.3.1.1; segmented over I frames with the M bit),
   the phone's CP-ACK and CP-DATA(RP-ACK) acknowledged (RR), the network's CP-ACK; the link released
   (DISC, the phone's UA) after the last one;
4. Location Updating Reject with the configured cause (§9.2.14), or Accept with a new TMSI and the
   phone's TMSI Reallocation Complete;
5. Channel Release (TS 44.018 §9.1.7); the phone's DISC on SAPI 0 answered by UA.

While the phone thinks, the network fills the block (UI fill frame, or an RR when it owes an
acknowledgement). With ``ack_loss`` a phone's acknowledgement is lost now and then, and the network
sends its last I frame again with P = 1 after T200 (§5.5.7): the sensor must count that message once.
The SACCH of the sub-channel carries SI5 and SI6 with the L1 header all along (``sacch_frames``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from sensor.l2.frame import Frame
from sensor.l2.l1header import SacchL1Header
from sensor.l2.sender import DownlinkLink
from sensor.l2.ts44006 import SAPI_SMS, Channel
from sensor.l3.cell import CellParams
from sensor.l3.cp import CPAck, CPData
from sensor.l3.freqlist import FrequencyList, ListIE, choose_format
from sensor.l3.ie import LocationAreaIdentification
from sensor.l3.ie_mm import LocationUpdatingType, MobileIdentity, MobileStationClassmark1
from sensor.l3.ie_rr import CellOptionsSacch
from sensor.l3.mm import IdentityRequest, LocationUpdatingAccept, LocationUpdatingReject, LocationUpdatingRequest
from sensor.l3.rp import RPAddress, RPDataToMS
from sensor.l3.rr_dedicated import ChannelRelease
from sensor.l3.si_sacch import SystemInformation5, SystemInformation6
from sensor.l3.ts24008 import REJECT_CAUSE, IdentityType
from sensor.schema import bounded
from sensor.sim.campaigns import FilledSms
from sensor.sim.phones import Phone

IDENTITY_NAMES = {"imsi": IdentityType.IMSI, "imei": IdentityType.IMEI, "imeisv": IdentityType.IMEISV}
# TS 24.008 §10.5.3.5: "normal location updating" (the phone enters a new location area)
LU_NORMAL = 0
# TS 45.010 §5.4: one TA step is one bit period of the round trip: 3.69 µs × c / 2 ≈ 553.5 m
TA_STEP_M = 553.5
TA_MAX = 63


@dataclass(frozen=True, slots=True)
class ProcedureSpec:
    """How a fake station works each phone (scene data; defaults are the common catcher's)."""

    identity_requests: tuple[str, ...] = ("imsi",)  # in order; "imsi", "imei", "imeisv"
    result: str = bounded("reject", choices=("reject", "accept"), doc="what ends the location update")
    reject_cause: int = bounded(
        13, min=1, max=255, doc="MM cause of the Location Updating Reject (13: roaming not allowed)"
    )
    sms_per_phone: int = bounded(1, min=0, max=20, doc="messages pushed to each phone")
    phone_response_blocks: int = bounded(1, min=0, max=10, doc="downlink blocks a phone takes to answer")
    ack_loss: float = bounded(0.0, min=0.0, max=0.5, doc="chance that a phone's acknowledgement is lost")
    service_centre: str = "8613800100500"  # RP originator address of the pushed SMS (digits, international)

    def check(self, where: str) -> None:
        from sensor.errors import ConfigError

        unknown = [i for i in self.identity_requests if i not in IDENTITY_NAMES]
        if unknown:
            raise ConfigError(f"{where}: unknown identity {unknown[0]!r} (known: {', '.join(IDENTITY_NAMES)})")
        if self.reject_cause not in REJECT_CAUSE:
            raise ConfigError(f"{where}: unknown MM reject cause {self.reject_cause} (TS 24.008 §10.5.3.6)")
        if not self.service_centre.isdigit():
            raise ConfigError(f"{where}: service_centre must be digits, got {self.service_centre!r}")


@dataclass(slots=True)
class DownlinkStep:
    """One downlink SDCCH block of a session: the frame, or None for an idle (fill) block."""

    frame: Frame | None
    sapi: int = 0
    sms: int | None = None  # index into the session's SMS list when this frame carries part of one
    step: str | None = None  # the procedure step it starts (for the truth), e.g. "identity_request:imsi"


@dataclass(slots=True)
class SessionPlan:
    """What the network sends one phone, in order, and what the truth says about it."""

    steps: list[DownlinkStep] = field(default_factory=list)
    identity_requests: list[str] = field(default_factory=list)
    result: str = "released"
    cause: int | None = None
    new_tmsi: int | None = None
    retransmissions: int = 0


def timing_advance(distance_m: float | None) -> int:
    """The TA a phone at ``distance_m`` uses (TS 45.010 §5.4), 0 when the distance is unknown."""
    if distance_m is None:
        return 0
    return int(min(TA_MAX, max(0, round(distance_m / TA_STEP_M))))


def lu_request(phone: Phone, home: LocationAreaIdentification) -> bytes:
    """The phone's Location Updating Request as its SABM carries it (the UA echoes it)."""
    identity = MobileIdentity.imsi(phone.imsi) if phone.tmsi is None else MobileIdentity.of_tmsi(phone.tmsi)
    return LocationUpdatingRequest(
        location_updating_type=LocationUpdatingType(LU_NORMAL),
        lai=home,
        ms_classmark_1=MobileStationClassmark1(revision_level=2, es_ind=True, a5_1=True, rf_power_capability=4),
        mobile_identity=identity,
        cksn=7,
    ).to_l2()


class _Builder:
    """The two links of the sub-channel (SAPI 0 and 3) and the plan they fill."""

    def __init__(self, spec: ProcedureSpec, rng: np.random.Generator) -> None:
        self.spec = spec
        self.rng = rng
        self.sapi0 = DownlinkLink(Channel.SDCCH)
        self.sapi3 = DownlinkLink(Channel.SDCCH, sapi=SAPI_SMS)
        self.plan = SessionPlan()
        self.owed: DownlinkLink | None = None  # a link whose peer's I frame is not acknowledged yet

    def wait(self, blocks: int) -> None:
        """The phone thinks: fill blocks, the first an RR when an acknowledgement is owed."""
        for _ in range(blocks):
            if self.owed is not None:
                self.plan.steps.append(DownlinkStep(self.owed.ack(), self.owed.sapi))
                self.owed = None
            else:
                self.plan.steps.append(DownlinkStep(None))

    def phone_sends_i(self, link: DownlinkLink) -> None:
        """The phone's I frame arrives: acknowledged by the next frame on that link (N(R)) or an RR."""
        if self.owed is not None and self.owed is not link:
            self.plan.steps.append(DownlinkStep(self.owed.ack(), self.owed.sapi))
        self.owed = link

    def send(self, link: DownlinkLink, l3: bytes, *, sms: int | None = None, step: str | None = None) -> None:
        if self.owed is link:  # piggybacked: the I frame's N(R) acknowledges the phone's frame
            link.ack()
            self.owed = None
        for i, frame in enumerate(link.send(l3)):
            self.plan.steps.append(DownlinkStep(frame, link.sapi, sms, step if i == 0 else None))
            if self.rng.uniform() < self.spec.ack_loss:  # T200 expires: the same I frame, P = 1 (§5.5.7)
                self.plan.steps.append(DownlinkStep(replace(frame, p_f=True), link.sapi, sms))
                self.plan.retransmissions += 1

    def frame(self, link: DownlinkLink, frame: Frame, *, step: str | None = None) -> None:
        self.plan.steps.append(DownlinkStep(frame, link.sapi, step=step))


def plan_session(
    phone: Phone,
    messages: list[FilledSms],
    *,
    spec: ProcedureSpec,
    cell: CellParams,
    home: LocationAreaIdentification,
    rng: np.random.Generator,
) -> SessionPlan:
    """The downlink of one phone's session on its SDCCH, from the UA to the last frame."""
    b = _Builder(spec, rng)
    think = spec.phone_response_blocks
    b.frame(b.sapi0, b.sapi0.ua(lu_request(phone, home)), step="location_update")
    for name in spec.identity_requests:
        b.send(b.sapi0, IdentityRequest(identity_type=IDENTITY_NAMES[name]).to_l2(), step=f"identity_request:{name}")
        b.plan.identity_requests.append(name)
        b.phone_sends_i(b.sapi0)  # Identity Response
        b.wait(think)
    if messages:
        b.frame(b.sapi3, b.sapi3.sabm(), step="sms")
        b.wait(max(1, think))  # the phone's UA
        sc = RPAddress(ton=1, npi=1, digits=spec.service_centre)
        ti = 0
        for index, sms in enumerate(messages):
            for tpdu in sms.tpdus:
                rp = RPDataToMS(
                    message_reference=int(rng.integers(0, 256)), originator_address=sc, user_data=tpdu.to_bytes()
                )
                b.send(b.sapi3, CPData(user_data=rp.to_l2(), ti_value=ti).to_l2(), sms=index, step="sms_part")
                b.phone_sends_i(b.sapi3)  # CP-ACK
                b.wait(max(1, think))
                b.phone_sends_i(b.sapi3)  # CP-DATA (RP-ACK)
                b.send(b.sapi3, CPAck(ti_value=ti).to_l2())
                ti = (ti + 1) % 7
        b.frame(b.sapi3, b.sapi3.disc())
        b.wait(1)  # the phone's UA
    if spec.result == "reject":
        b.send(b.sapi0, LocationUpdatingReject(reject_cause=spec.reject_cause).to_l2(), step="lu_reject")
        b.plan.result, b.plan.cause = "lu_reject", spec.reject_cause
    else:
        new_tmsi = int(rng.integers(0, 0xFFFFFFFF))
        accept = LocationUpdatingAccept(lai=home_of(cell), mobile_identity=MobileIdentity.of_tmsi(new_tmsi))
        b.send(b.sapi0, accept.to_l2(), step="lu_accept")
        b.phone_sends_i(b.sapi0)  # TMSI Reallocation Complete
        b.wait(think)
        b.plan.result, b.plan.new_tmsi = "lu_accept", new_tmsi
    b.send(b.sapi0, ChannelRelease(rr_cause=0).to_l2(), step="channel_release")
    b.wait(1)  # the phone's DISC
    b.frame(b.sapi0, b.sapi0.ua_release())
    return b.plan


def home_of(cell: CellParams) -> LocationAreaIdentification:
    return LocationAreaIdentification(cell.mcc, cell.mnc, cell.lac)


def sacch_messages(cell: CellParams) -> tuple[bytes, bytes]:
    """SI5 (the neighbours, TS 44.018 §9.1.37) and SI6 (identity, §9.1.40) as the SACCH carries them."""
    neighbours = tuple(sorted(set(cell.neighbours) | set(cell.neighbours_bis)))
    ba = FrequencyList(neighbours, choose_format(neighbours), ListIE.NEIGHBOUR, ba_ind=cell.ba_ind, ext_ind=False)
    si5 = SystemInformation5(ba).to_l2()
    si6 = SystemInformation6(
        cell_identity=cell.cell_id,
        lai=home_of(cell),
        cell_options=CellOptionsSacch(
            pwrc=False, dtx=cell.dtx, radio_link_timeout_blocks=cell.radio_link_timeout_blocks
        ),
        ncc_permitted=tuple(cell.ncc_permitted),
    ).to_l2()
    return si5, si6


def sacch_block(message: bytes, *, timing_advance_symbols: int, ms_power_level: int = 5) -> bytes:
    """One SACCH block: L1 header (TS 44.004 §7.2) + the B4 UI frame carrying ``message``."""
    link = DownlinkLink(Channel.SACCH)
    header = SacchL1Header(ms_power_level=ms_power_level, timing_advance_symbols=timing_advance_symbols)
    return link.block(link.ui(message), header)


def fill_block() -> bytes:
    """The UI fill frame of an active SDCCH with nothing to send (as the real cell of the captures sends it)."""
    link = DownlinkLink(Channel.SDCCH)
    return link.block(link.ui())
