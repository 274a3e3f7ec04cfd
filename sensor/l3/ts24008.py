"""Constants of TS 24.008 (mobile radio interface layer 3: MM, CC, GMM, SM) used so far, clause by clause."""

from __future__ import annotations

import enum


class MobileIdentityType(enum.IntEnum):
    """§10.5.1.4 Table 10.5.4: type of identity, bits 3-1 of octet 3 of the Mobile Identity IE."""

    NONE = 0b000  # no identity (e.g. an empty Paging Request's filler identity)
    IMSI = 0b001
    IMEI = 0b010
    IMEISV = 0b011
    TMSI = 0b100  # TMSI/P-TMSI/M-TMSI
    TMGI = 0b101  # TMGI and optional MBMS session identity
