"""Channel coding of TS 45.003: encoders beside decoders, pure numpy, batched over blocks.

- ``softbits``       bit conventions: ``ubits`` 0/1; ``sbits`` signed, positive → 0, negative → 1,
                     0 = erasure (α = 1 − 2d of TS 45.004); octets are sent LSB first
- ``convolutional``  §4.1.3 rate-1/2 K=5 code; batched soft-decision Viterbi decoder
- ``parity``         §4.1.2 Fire code, §4.7 SCH parity (systematic cyclic codes over GF(2))
- ``interleave``     §4.1.4 xCCH block-diagonal interleaving over 4 bursts
- ``xcch``           §4.1   BCCH/PCH/AGCH/SDCCH/SACCH: 23 octets ↔ 4 bursts
- ``sch``            §4.7   SCH: (BSIC, FN) ↔ 78 coded bits

No logging, clocks, I/O or global state in here.
"""
