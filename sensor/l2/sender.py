"""The network's side of one LAPDm data link, for the simulator: the downlink frames of a procedure.

A fake station's dedicated channel, step by step, driven explicitly (no clocks, no timers: the
caller decides when an acknowledgement was lost and a frame is sent again)::

    link = DownlinkLink(Channel.SDCCH)
    link.ua(paging_response)     # answer the phone's SABM, echoing its first message (§5.4.1.4)
    link.send(cipher_mode)       # I frames, N(S) = V(S), N(R) = V(R), M set on all segments but the last
    link.ack()                   # the phone's I frame arrived: V(R) + 1, RR with the new N(R)
    link.resend()                # the phone's acknowledgement was lost: the last I frame again, P = 1
    link.disc()                  # release (§5.4.4)

C/R follows §3.3.2 Table 1 for a network sender: commands (I, SABM, DISC, UI) 1, responses (UA,
DM, RR acknowledging) 0. Frames are :class:`~.frame.Frame` objects; :meth:`DownlinkLink.block`
encodes one as the 23-octet block the channel coder takes (SACCH: with its L1 header).
"""

from __future__ import annotations

from dataclasses import replace

from .errors import L2EncodeError
from .frame import Block, Frame, encode_block, layout, n201
from .l1header import SacchL1Header
from .segment import SendState, i_frames
from .ts44006 import CR_NETWORK_COMMAND, CR_NETWORK_RESPONSE, MODULUS, SAPI_SIGNALLING, Channel, FrameFormat, FrameType


class DownlinkLink:
    """The network end of the link (``channel``, ``sapi``): tracks V(S) and V(R) (§3.5.2)."""

    def __init__(self, channel: Channel, sapi: int = SAPI_SIGNALLING) -> None:
        lay = layout(channel)
        if lay is None:
            raise L2EncodeError(f"no data link on {channel.value} (format Bbis)")
        self.channel = channel
        self.sapi = sapi
        self.state = SendState()
        self.last_i: Frame | None = None
        self._layout = lay

    def _frame(self, frame_type: FrameType, c_r: int, **fields: object) -> Frame:
        return Frame(frame_type, sapi=self.sapi, c_r=c_r, **fields)  # type: ignore[arg-type]

    def _new_link(self) -> None:
        self.state = SendState()
        self.last_i = None

    def ua(self, echo: bytes = b"") -> Frame:
        """UA answering the phone's SABM (F = 1), echoing its first L3 message; the link starts at 0."""
        self._new_link()
        return self._frame(FrameType.UA, CR_NETWORK_RESPONSE, p_f=True, info=bytes(echo))

    def sabm(self, info: bytes = b"") -> Frame:
        """SABM (P = 1): the network starts the link itself (SAPI 3 for a mobile-terminated SMS)."""
        self._new_link()
        return self._frame(FrameType.SABM, CR_NETWORK_COMMAND, p_f=True, info=bytes(info))

    def send(self, l3: bytes) -> list[Frame]:
        """The I frames carrying ``l3``; V(S) advances by their number."""
        most = n201(FrameFormat.B, self._layout)  # §2.1: I frames are format B
        frames, self.state = i_frames(l3, self.state, n201=most, sapi=self.sapi, c_r=CR_NETWORK_COMMAND)
        self.last_i = frames[-1]
        return frames

    def resend(self) -> Frame:
        """The last I frame again with P = 1 (§5.5.7: its acknowledgement did not come)."""
        if self.last_i is None:
            raise L2EncodeError("no I frame sent yet on this link")
        return replace(self.last_i, p_f=True, nr=self.state.vr)

    def ack(self, *, final: bool = False) -> Frame:
        """The phone's next I frame arrived: V(R) + 1, and the RR response acknowledging it."""
        self.state = SendState(self.state.vs, (self.state.vr + 1) % MODULUS)
        return self._frame(FrameType.RR, CR_NETWORK_RESPONSE, nr=self.state.vr, p_f=final)

    def ui(self, l3: bytes = b"") -> Frame:
        """UI command (P = 0); without ``l3`` it is the fill frame of an idle channel."""
        return self._frame(FrameType.UI, CR_NETWORK_COMMAND, info=bytes(l3))

    def disc(self) -> Frame:
        """DISC (P = 1): the network releases the link (§5.4.4)."""
        return self._frame(FrameType.DISC, CR_NETWORK_COMMAND, p_f=True)

    def ua_release(self) -> Frame:
        """UA answering the phone's DISC (F = 1)."""
        return self._frame(FrameType.UA, CR_NETWORK_RESPONSE, p_f=True)

    def dm(self) -> Frame:
        """DM (F = 1): refuse a SABM, or answer a DISC when no link is up."""
        return self._frame(FrameType.DM, CR_NETWORK_RESPONSE, p_f=True)

    def block(self, frame: Frame, l1_header: SacchL1Header | None = None) -> bytes:
        """The 23-octet block of ``frame`` on this link's channel (SACCH needs ``l1_header``)."""
        return encode_block(Block(self.channel, frame, l1_header))
