"""Constants of TS 44.004 (Layer 1, general requirements) that shape an L2 block: the SACCH L1 header.

Every SACCH block starts with a 2-octet L1 header before its 21-octet L2 frame (§7.1). Downlink
(§7.2): the ordered MS power level and timing advance; uplink (§7.3): the ones the phone uses.
Bit 8 first::

    octet 1   spare | SRO (down) / SRR (up) | FPC/EPC | MS power level (5)
    octet 2   spare (2) | timing advance (6), in bit periods (0..63)
"""

from __future__ import annotations

# §7.1: octets of the SACCH L1 header
SACCH_L1_HEADER_OCTETS = 2

# §7.2 / §7.3: octet 1
POWER_LEVEL_MASK = 0x1F  # bits 5-1: MS power level (a TS 45.005 power control level code)
FPC_EPC = 0x20  # bit 6: fast (FPC) or enhanced (EPC) power control in use
SRO_SRR = 0x40  # bit 7: SACCH repetition order (downlink) or request (uplink)
OCTET1_SPARE = 0x80  # bit 8

# §7.2 / §7.3: octet 2
TIMING_ADVANCE_MASK = 0x3F  # bits 6-1: timing advance in bit periods (48/13 µs each)
OCTET2_SPARE_SHIFT, OCTET2_SPARE_MASK = 6, 0x03  # bits 8-7
