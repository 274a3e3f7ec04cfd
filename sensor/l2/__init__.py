"""Layer 2 of the GSM Um interface (TS 44.006, LAPDm): frames, segmentation, data links.

* :mod:`.ts44006` — TS 44.006 constants: frame octets, formats, N201 per format and channel, the
  fill octet, address/control/length-indicator bits, frame types and their control codes, C/R per
  sender, modulus, window, the longest L3 message (251 octets); the ``Channel`` enum.
* :mod:`.ts44004` — TS 44.004 constants of the SACCH L1 header.
* :mod:`.errors` — ``Discard`` (why a frame was dropped, citing the clause), ``L2DecodeError``
  (a ``DecodeError`` with its ``reason``), ``L2EncodeError``.
* :mod:`.l1header` — ``SacchL1Header``; ``decode_l1_header(octets)``, ``encode_l1_header(header)``.
* :mod:`.frame` — one frame and one block, the format chosen from (channel, direction):
  ``Frame(frame_type, sapi, c_r, ns, nr, p_f, m, info, lpd, spare, ea, el)``,
  ``Block(channel, frame, l1_header, uplink)`` with ``.fmt``;
  ``decode_block(octets, channel, *, uplink=False) -> Block``, ``encode_block(block) -> bytes``
  (23 octets; SACCH with its L1 header); ``decode_frame`` / ``encode_frame(frame, channel, *, uplink)``
  for the L2 part alone; ``layout(channel, *, uplink)``, ``frame_format(frame, layout)``, ``n201``.
* :mod:`.segment` — the sender's segmentation: ``SendState(vs, vr)``, ``split_info(l3, n201)``,
  ``i_frames(l3, state, *, n201, sapi, c_r) -> (frames, state)``.
* :mod:`.link` — the receiver: ``Link(key).receive(frame, *, uplink=False) -> list[Event]``, one
  state machine (``LinkState``, table ``TRANSITIONS``) per ``LinkKey(channel, sub_channel, sapi)``;
  events ``LinkEstablished(key, uplink, by, echo)``, ``L3Message(key, uplink, frame_type, l3,
  segments)``, ``LinkReleased(key, uplink, by)``; counters ``discards`` (by ``Discard``) and
  ``retransmissions``. ``Links().receive_block(octets, channel, sub_channel, *, uplink=False)``
  decodes and dispatches blocks, counting undecodable ones; ``Links.totals()``.
* :mod:`.sender` — the simulator's network end: ``DownlinkLink(channel, sapi)`` with ``ua(echo)``,
  ``sabm(info)``, ``send(l3) -> list[Frame]``, ``ack()``, ``resend()``, ``ui(l3)``, ``disc()``,
  ``ua_release()``, ``dm()``, ``block(frame, l1_header=None) -> bytes``; V(S)/V(R) in ``state``.
"""
