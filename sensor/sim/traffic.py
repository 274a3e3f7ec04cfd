"""What a cell sends on its common and dedicated control channels besides the broadcast, block by
block: the schedule the carrier generator reads, and the ground truth the scene writes.

The fake-station procedure (``sim.procedure``) and the real cells' dedicated traffic produce
:class:`ScheduledBlock`\\ s: an Immediate Assignment in a CCCH block of timeslot 0, then the LAPDm
frames of the session on its SDCCH sub-channel and SACCH, each in one 4-burst block at the FN of its
first burst. :class:`Traffic` holds them by (timeslot, FN) for the generator. A block the schedule
does not name is sent as the carrier would send it anyway: the cell's own CCCH content (empty
pages) on the CCCH, and on a dedicated sub-channel that no session holds a dummy burst, as a BTS
fills an inactive channel of its BCCH carrier (TS 45.002 §5.2.6). While a session holds a
sub-channel, the procedure itself fills every block (LAPDm fill frames, SI5/SI6 on the SACCH).

A ciphered block (after a Ciphering Mode Command on a real cell) keeps its plaintext here for the
truth, but its bursts go out XORed with a keystream (``keystream_seed``): nothing readable reaches
the air, and its Fire code fails at any receiver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sensor.gsm import tdma
from sensor.l2.ts44006 import FRAME_OCTETS

CHANNELS = ("CCCH", "SDCCH", "SACCH")


@dataclass(frozen=True, slots=True)
class ScheduledBlock:
    """One 4-burst block a cell sends: where, what, and for which session (the truth)."""

    tn: int  # timeslot 0..7
    first_fn: int  # TDMA frame number of its first burst, modulo the hyperframe
    channel: str  # one of CHANNELS
    sub: int | None  # SDCCH/SACCH sub-channel; None on the CCCH
    octets: bytes  # the 23-octet block (on the SACCH: 2-octet L1 header + 21-octet L2 frame)
    session: int | None = None  # index of the session it belongs to; None for fill or other traffic
    keystream_seed: int | None = None  # not None: ciphered, bursts XORed with this keystream

    def __post_init__(self) -> None:
        if len(self.octets) != FRAME_OCTETS:
            raise ValueError(f"a block is {FRAME_OCTETS} octets, got {len(self.octets)}")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")

    @property
    def ciphered(self) -> bool:
        return self.keystream_seed is not None


class Traffic:
    """Scheduled blocks by (timeslot, first FN); at most one block per place."""

    def __init__(self, blocks: Iterable[ScheduledBlock] = ()) -> None:
        self._by_place: dict[tuple[int, int], ScheduledBlock] = {}
        for b in blocks:
            self.add(b)

    def add(self, block: ScheduledBlock) -> None:
        key = (block.tn, block.first_fn % tdma.HYPERFRAME_FRAMES)
        if key in self._by_place:
            raise ValueError(f"two blocks scheduled on timeslot {block.tn} at FN {block.first_fn}")
        self._by_place[key] = block

    def block(self, tn: int, first_fn: int) -> ScheduledBlock | None:
        """The block scheduled on ``tn`` whose first burst is frame ``first_fn``, or None."""
        return self._by_place.get((tn, first_fn % tdma.HYPERFRAME_FRAMES))

    def between(self, first_fn: int, n_frames: int) -> list[ScheduledBlock]:
        """Every scheduled block whose four bursts lie in frames ``first_fn`` .. ``first_fn + n_frames − 1``
        (no hyperframe wrap inside the span), in time order then timeslot."""
        lo, hi = first_fn, first_fn + n_frames - 3
        return sorted((b for b in self._by_place.values() if lo <= b.first_fn < hi), key=lambda b: (b.first_fn, b.tn))

    def __len__(self) -> int:
        return len(self._by_place)
