"""Keys declared once: every name the SI parsers put into a cell's ``params`` (CONTRACT.md
``cell.params``) and every CCCH message class the cell tracker counts (``cell.ccch``).

Parsers emit through these names and rules read through them, so a misspelt key is an
``AttributeError`` at import or in CI (``tests/l3/test_keys.py`` checks that every key a parser
emits and every key a rule reads is declared here), never a rule silently judging ``None``.
Values are the wire names of CONTRACT.md and must not change.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- cell.params

# RACH Control Parameters, TS 44.018 §10.5.2.29 (SI1, SI2, SI2bis, SI3, SI4)
MAX_RETRANS = "max_retrans"
TX_INTEGER_SLOTS = "tx_integer_slots"
CELL_BARRED = "cell_barred"
CALL_REESTABLISHMENT_ALLOWED = "call_reestablishment_allowed"
EMERGENCY_CALLS_BARRED = "emergency_calls_barred"
ACCESS_CLASSES_BARRED = "access_classes_barred"

# Cell Selection Parameters, §10.5.2.4 (SI3, SI4)
CELL_RESELECT_HYSTERESIS_DB = "cell_reselect_hysteresis_db"
MS_TXPWR_MAX_CCH = "ms_txpwr_max_cch"
ACS = "acs"
NECI = "neci"
RXLEV_ACCESS_MIN_DBM = "rxlev_access_min_dbm"

# Control Channel Description §10.5.2.11 and Cell Options (BCCH) §10.5.2.3 (SI3)
T3212_MIN = "t3212_min"
ATT = "att"
MSCR = "mscr"
BS_AG_BLKS_RES = "bs_ag_blks_res"
CCCH_CONF = "ccch_conf"
CCCH_COMBINED_WITH_SDCCH = "ccch_combined_with_sdcch"
BS_PA_MFRMS = "bs_pa_mfrms"
CBQ3 = "cbq3"
PWRC = "pwrc"
DTX = "dtx"
RADIO_LINK_TIMEOUT_BLOCKS = "radio_link_timeout_blocks"
DN_IND = "dn_ind"

# SI3/SI4/SI7/SI8 rest octets §10.5.2.34/35: optional selection parameters, power offset, GPRS indicator
SELECTION_PARAMETERS_PRESENT = "selection_parameters_present"
CBQ = "cbq"
CRO_DB = "cro_db"
TEMPORARY_OFFSET_DB = "temporary_offset_db"
TEMPORARY_OFFSET_INFINITE = "temporary_offset_infinite"
PENALTY_TIME_S = "penalty_time_s"
PENALTY_TIME_SUBTRACTS_CRO = "penalty_time_subtracts_cro"
POWER_OFFSET_DB = "power_offset_db"
GPRS = "gprs"  # also SI13 (§10.5.2.37b: rest octets present)
RA_COLOUR = "ra_colour"
SI13_POSITION = "si13_position"
# SI3 rest octets only
SI2TER_INDICATOR = "si2ter_indicator"
SI2QUATER_INDICATOR = "si2quater_indicator"
EARLY_CLASSMARK_SENDING = "early_classmark_sending"

# SI4 §9.1.36: CBCH Channel Description present
CBCH = "cbch"

# SI1 rest octets §10.5.2.32
BAND_INDICATOR = "band_indicator"
NCH_POSITION = "nch_position"

# SI2/SI2bis/SI2ter neighbour lists §10.5.2.22, §10.5.2.22a, NCC Permitted §10.5.2.27
NCC_PERMITTED = "ncc_permitted"
BA_IND = "ba_ind"
EXT_IND = "ext_ind"
MULTIBAND_REPORTING = "multiband_reporting"

# SI2quater rest octets §10.5.2.33b
SI2QUATER_INDEX = "si2quater_index"
SI2QUATER_COUNT = "si2quater_count"
UTRAN_UARFCNS = "utran_uarfcns"
EUTRAN_EARFCNS = "eutran_earfcns"

# SI13 rest octets §10.5.2.37b, GPRS Cell Options TS 44.060 §12.24
RAC = "rac"
BCCH_CHANGE_MARK = "bcch_change_mark"
NETWORK_CONTROL_ORDER = "network_control_order"
NMO = "nmo"
EGPRS = "egprs"
SGSNR = "sgsnr"

# --------------------------------------------------------------------------- SACCH SI (TS 44.018 §9.1.37-§9.1.40)
# kept apart from the BCCH keys: a phone on a dedicated channel measures the SACCH lists, and a
# cell whose SACCH contradicts its BCCH is itself a finding
SACCH_NEIGHBOURS = "sacch_neighbours"  # SI5/SI5bis/SI5ter Neighbour Cell Description ARFCNs
SACCH_BA_IND = "sacch_ba_ind"
SACCH_EXT_IND = "sacch_ext_ind"
SACCH_MULTIBAND_REPORTING = "sacch_multiband_reporting"
SACCH_CELL_ID = "sacch_cell_id"  # SI6 Cell Identity
SACCH_MCC = "sacch_mcc"  # SI6 LAI
SACCH_MNC = "sacch_mnc"
SACCH_LAC = "sacch_lac"
SACCH_PWRC = "sacch_pwrc"  # SI6 Cell Options (SACCH) §10.5.2.3
SACCH_DTX = "sacch_dtx"
SACCH_RADIO_LINK_TIMEOUT_BLOCKS = "sacch_radio_link_timeout_blocks"
SACCH_NCC_PERMITTED = "sacch_ncc_permitted"

PARAMS: frozenset[str] = frozenset(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))

# --------------------------------------------------------------------------- cell.ccch (TS 44.018 §9.1)

PAGING_REQUEST_1 = "paging_request_1"
PAGING_REQUEST_1_EMPTY = "paging_request_1_empty"  # only the "no identity" filler identity
PAGING_REQUEST_2 = "paging_request_2"
PAGING_REQUEST_3 = "paging_request_3"
IMMEDIATE_ASSIGNMENT = "immediate_assignment"
IMMEDIATE_ASSIGNMENT_EXTENDED = "immediate_assignment_extended"
IMMEDIATE_ASSIGNMENT_REJECT = "immediate_assignment_reject"
OTHER_RR = "other"  # another RR message

CCCH_CLASSES: frozenset[str] = frozenset({
    PAGING_REQUEST_1, PAGING_REQUEST_1_EMPTY, PAGING_REQUEST_2, PAGING_REQUEST_3, IMMEDIATE_ASSIGNMENT,
    IMMEDIATE_ASSIGNMENT_EXTENDED, IMMEDIATE_ASSIGNMENT_REJECT, OTHER_RR,
})  # fmt: skip
# classes that page a phone by its identity (what a live network does; a catcher does not)
PAGING_WITH_IDENTITY: frozenset[str] = frozenset({PAGING_REQUEST_1, PAGING_REQUEST_2, PAGING_REQUEST_3})
