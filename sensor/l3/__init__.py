"""Layer 3 of the GSM BCCH: System Information parsers and builders, frequency lists.

* :mod:`.ts24007`, :mod:`.ts24008`, :mod:`.ts44018` — spec constants (PDs, IE formats, message types ...);
* :mod:`.keys` — every ``cell.params`` key and CCCH class, declared once;
* :mod:`.codec` — messages declared as data (TS 24.007 §11.2), one decoder and encoder;
* :mod:`.csn1` — rest octets declared in CSN.1, one reader and writer;
* :mod:`.freqlist` — the six channel list formats (TS 44.018 §10.5.2.13), encode and decode;
* :mod:`.ie` — fixed information elements (LAI, control channel description, ...);
* :mod:`.rest_octets`, :mod:`.si2quater` — the CSN.1 rest octets;
* :mod:`.messages` — SI1/2/2bis/2ter/2quater/3/4/13 objects, :func:`parse_si`;
* :mod:`.cell` — :class:`CellParams` and the ``build_*`` functions.
"""

from .cell import CellParams, build_all
from .errors import FrequencyListEncodeError, L3EncodeError, L3ParseError, NotSystemInformation, TruncatedMessage
from .freqlist import FreqListFormat, FrequencyList, ListIE, choose_format, decode_frequency_list, encode_frequency_list
from .messages import SIType, SystemInformation, parse_si, si_type_of

__all__ = [
    "CellParams",
    "FreqListFormat",
    "FrequencyList",
    "FrequencyListEncodeError",
    "L3EncodeError",
    "L3ParseError",
    "ListIE",
    "NotSystemInformation",
    "SIType",
    "SystemInformation",
    "TruncatedMessage",
    "build_all",
    "choose_format",
    "decode_frequency_list",
    "encode_frequency_list",
    "parse_si",
    "si_type_of",
]
