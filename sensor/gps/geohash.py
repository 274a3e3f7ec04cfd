"""Geohash (Niemeyer 2008): a position as a base-32 string whose prefixes are nested grid cells.

Used as the area key of the detection baseline: precision 5 is a cell of about 4.9 km × 4.9 km at
the equator (narrower east-west towards the poles); a position's area and its eight neighbours
cover at least ±4.9 km (±2.4 km east-west at 60° latitude) around it.
"""

from __future__ import annotations

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def encode(lat_deg: float, lon_deg: float, precision: int = 5) -> str:
    if not -90.0 <= lat_deg <= 90.0 or not -180.0 <= lon_deg <= 180.0:
        raise ValueError(f"position {lat_deg}, {lon_deg} is outside -90..90, -180..180")
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    out, bits, ch, even = [], 0, 0, True
    while len(out) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            ch = ch << 1 | (lon_deg >= mid)
            lon_lo, lon_hi = (mid, lon_hi) if lon_deg >= mid else (lon_lo, mid)
        else:
            mid = (lat_lo + lat_hi) / 2
            ch = ch << 1 | (lat_deg >= mid)
            lat_lo, lat_hi = (mid, lat_hi) if lat_deg >= mid else (lat_lo, mid)
        even = not even
        bits += 1
        if bits == 5:
            out.append(BASE32[ch])
            bits, ch = 0, 0
    return "".join(out)


def decode_box(code: str) -> tuple[float, float, float, float]:
    """(lat_lo, lat_hi, lon_lo, lon_hi) of a geohash cell."""
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    even = True
    for c in code:
        v = BASE32.index(c)
        for shift in range(4, -1, -1):
            bit = v >> shift & 1
            if even:
                mid = (lon_lo + lon_hi) / 2
                lon_lo, lon_hi = (mid, lon_hi) if bit else (lon_lo, mid)
            else:
                mid = (lat_lo + lat_hi) / 2
                lat_lo, lat_hi = (mid, lat_hi) if bit else (lat_lo, mid)
            even = not even
    return lat_lo, lat_hi, lon_lo, lon_hi


def with_neighbours(lat_deg: float, lon_deg: float, precision: int = 5) -> list[str]:
    """The cell containing the position and the (up to) eight cells around it."""
    lat_lo, lat_hi, lon_lo, lon_hi = decode_box(encode(lat_deg, lon_deg, precision))
    clat, clon = (lat_lo + lat_hi) / 2, (lon_lo + lon_hi) / 2
    dlat, dlon = lat_hi - lat_lo, lon_hi - lon_lo
    out: list[str] = []
    for i in (-1, 0, 1):
        for j in (-1, 0, 1):
            la = clat + i * dlat
            if not -90.0 <= la <= 90.0:
                continue
            lo = (clon + j * dlon + 180.0) % 360.0 - 180.0
            code = encode(la, lo, precision)
            if code not in out:
                out.append(code)
    return out
