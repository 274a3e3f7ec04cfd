"""Layer 2 of the GSM Um interface (TS 44.006): the data link layer's frame constants.

* :mod:`.ts44006` — frame formats, N201 per format and channel, the fill octet.
"""
