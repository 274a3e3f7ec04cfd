"""Hypothesis strategies for LAPDm frames: any valid frame of a channel and direction."""

from __future__ import annotations

from hypothesis import strategies as st

from sensor.l2.frame import Frame, layout, n201
from sensor.l2.ts44006 import FRAMES_WITH_INFO, S_FRAMES, Channel, FrameFormat, FrameType

CHANNELS = (Channel.SDCCH, Channel.FACCH, Channel.SACCH)


@st.composite
def frames(draw, channel: Channel, uplink: bool) -> Frame:
    lay = layout(channel, uplink=uplink)
    assert lay is not None
    frame_type = draw(st.sampled_from(list(FrameType)))
    if lay.ui_b4 and frame_type is FrameType.UI:
        info = draw(st.binary(min_size=n201(FrameFormat.B4, lay), max_size=n201(FrameFormat.B4, lay)))
    elif frame_type in FRAMES_WITH_INFO:
        info = draw(st.binary(min_size=int(frame_type is FrameType.I), max_size=n201(FrameFormat.B, lay)))
    else:
        info = b""
    seq = st.integers(0, 7)
    return Frame(
        frame_type,
        sapi=draw(st.integers(0, 7)),
        c_r=draw(st.integers(0, 1)),
        ns=draw(seq) if frame_type is FrameType.I else None,
        nr=draw(seq) if frame_type is FrameType.I or frame_type in S_FRAMES else None,
        p_f=draw(st.booleans()),
        m=draw(st.booleans()) if frame_type is FrameType.I else False,
        info=info,
        lpd=draw(st.integers(0, 3)),
        spare=draw(st.integers(0, 1)),
    )
