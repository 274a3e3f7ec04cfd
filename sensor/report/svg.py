"""The report's plots as inline SVG text, written here (no library, no script): maps of hexagons on
Web Mercator with an optional raster basemap, and bar charts. Every text that reaches the markup
goes through :func:`esc`; numbers are formatted here, never taken as text from the data.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sensor.report.basemap import Basemap

TILE_PX = 256
MAX_TILES = 64  # basemap tiles embedded per map


def esc(value: Any) -> str:
    """Text for HTML or SVG content and quoted attributes."""
    return html.escape(str(value), quote=True)


def _world(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Web Mercator, in tiles of zoom 0 (0..1 across the world)."""
    lat = max(-85.05112878, min(85.05112878, lat_deg))
    s = math.sin(math.radians(lat))
    return (lon_deg + 180.0) / 360.0, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


@dataclass(frozen=True)
class Frame:
    """A map's view: world coordinates → pixels of a ``width`` × ``height`` drawing."""

    x0: float
    y0: float
    scale: float  # pixels per zoom-0 world unit
    width: int
    height: int

    @classmethod
    def around(cls, points: Sequence[tuple[float, float]], width: int = 860, max_height: int = 560) -> Frame:
        """The view holding every (lat, lon) point with a margin; at most zoom 17's detail."""
        xy = [_world(a, b) for a, b in points] or [_world(0.0, 0.0)]
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        dx, dy = max(max(xs) - min(xs), 1e-7), max(max(ys) - min(ys), 1e-7)
        scale = min(0.9 * width / dx, 0.9 * max_height / dy, TILE_PX * 2**17)
        height = int(min(max_height, max(240, dy * scale / 0.9)))
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        return cls(cx - width / 2 / scale, cy - height / 2 / scale, scale, width, height)

    def px(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        x, y = _world(lat_deg, lon_deg)
        return (x - self.x0) * self.scale, (y - self.y0) * self.scale

    def metres_px(self, lat_deg: float, metres: float) -> float:
        """Pixels of ``metres`` on the ground at a latitude."""
        return metres / (40_075_016.7 * math.cos(math.radians(lat_deg))) * self.scale


def tiles(frame: Frame, basemap: Basemap) -> list[str]:
    """``<image>`` elements of the basemap's tiles under the frame, at the archive's zoom nearest
    the frame's detail (at most ``MAX_TILES``); empty where the archive has none."""
    z = int(min(basemap.max_zoom, max(basemap.min_zoom, round(math.log2(frame.scale / TILE_PX)))))
    while True:
        n = 2**z
        x_lo, x_hi = math.floor(frame.x0 * n), math.floor((frame.x0 + frame.width / frame.scale) * n)
        y_lo, y_hi = math.floor(frame.y0 * n), math.floor((frame.y0 + frame.height / frame.scale) * n)
        if (x_hi - x_lo + 1) * (y_hi - y_lo + 1) <= MAX_TILES or z <= basemap.min_zoom:
            break
        z -= 1
    size = frame.scale / n
    out = []
    for x in range(max(0, x_lo), min(n - 1, x_hi) + 1):
        for y in range(max(0, y_lo), min(n - 1, y_hi) + 1):
            data = basemap.tile(z, x, y)
            if data is None:
                continue
            href = f"data:{basemap.mime};base64,{base64.b64encode(data).decode('ascii')}"
            out.append(
                f'<image class="tile" href="{esc(href)}" x="{(x / n - frame.x0) * frame.scale:.1f}" '
                f'y="{(y / n - frame.y0) * frame.scale:.1f}" width="{size + 0.5:.1f}" height="{size + 0.5:.1f}" '
                'preserveAspectRatio="none"/>'
            )
    return out


def polygon(frame: Frame, ring: Sequence[Sequence[float]], css: str, title: str, style: str = "") -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (frame.px(a, b) for a, b in ring))
    styled = f' style="{esc(style)}"' if style else ""
    return f'<polygon class="{esc(css)}" points="{points}"{styled}><title>{esc(title)}</title></polygon>'


def heat(value: float, top: float) -> str:
    """Fill for a share of the maximum: pale yellow → dark red, on a square-root scale."""
    t = math.sqrt(value / top) if top > 0 else 0.0
    r, g, b = 255 - 80 * t, 230 - 210 * t, 150 - 130 * t
    return f"fill:rgb({r:.0f},{g:.0f},{b:.0f})"


def map_svg(
    ident: str,
    title: str,
    frame: Frame,
    layers: Sequence[str],
    legend: Sequence[tuple[str, str]],
    basemap: Sequence[str] = (),
) -> str:
    """A map: hatched ground ("not covered"), the basemap under it when given, the layers on top, a legend
    of (css class or style, label)."""
    hatch = f"{ident}-hatch"
    parts = [
        f'<svg id="{esc(ident)}" class="plot map" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {frame.width} {frame.height + 28}" width="{frame.width}" '
        f'height="{frame.height + 28}">',
        f'<defs><pattern id="{esc(hatch)}" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" class="ground"/>'
        '<line x1="0" y1="0" x2="0" y2="8" class="hatch"/></pattern>'
        f'<clipPath id="{esc(ident)}-clip"><rect width="{frame.width}" height="{frame.height}"/></clipPath></defs>',
        f'<g clip-path="url(#{esc(ident)}-clip)">',
        f'<rect class="ground" width="{frame.width}" height="{frame.height}"/>',
        *basemap,
        f'<rect class="uncovered" width="{frame.width}" height="{frame.height}" fill="url(#{esc(hatch)})"/>',
        *layers,
        "</g>",
    ]
    x = 6
    for css, label in [(f"url(#{hatch})", "not covered (nobody drove here)"), *legend]:
        fill = f' fill="{esc(css)}"' if css.startswith("url(") else f' style="{esc(css)}"'
        parts.append(
            f'<rect x="{x}" y="{frame.height + 8}" width="14" height="14" class="key"{fill}/>'
            f'<text x="{x + 18}" y="{frame.height + 20}">{esc(label)}</text>'
        )
        x += 30 + 7 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def bar_rows(
    ident: str,
    title: str,
    labels: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int], str]],
    every: int = 1,
    width: int = 860,
) -> str:
    """Bar charts sharing one axis of ``labels``: one strip per (name, values, css class), each scaled
    to its own maximum (written beside it); every ``every``-th label shown."""
    strip, left, bottom = 70, 150, 22
    n = max(1, len(labels))
    step = (width - left - 10) / n
    height = strip * len(rows) + bottom
    parts = [
        f'<svg id="{esc(ident)}" class="plot bars" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for r, (name, values, css) in enumerate(rows):
        top = max(values, default=0)
        y0 = r * strip
        parts.append(
            f'<text x="0" y="{y0 + 24}" class="series">{esc(name)}</text>'
            f'<text x="0" y="{y0 + 40}" class="max">max {top:,}</text>'
            f'<line x1="{left}" x2="{width - 10}" y1="{y0 + strip - 6}" y2="{y0 + strip - 6}" class="axis"/>'
        )
        for k, v in enumerate(values):
            if v <= 0:
                continue
            h = (strip - 14) * v / top
            parts.append(
                f'<rect class="{esc(css)}" x="{left + k * step + 1:.1f}" y="{y0 + strip - 6 - h:.1f}" '
                f'width="{max(step - 2, 1):.1f}" height="{h:.1f}"><title>{esc(labels[k])}: {v:,}</title></rect>'
            )
    for k, label in enumerate(labels):
        if k % every == 0:
            parts.append(f'<text x="{left + (k + 0.5) * step:.1f}" y="{height - 6}" class="tick">{esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def hbars(ident: str, title: str, items: Sequence[tuple[str, int]], css: str, width: int = 860) -> str:
    """Horizontal bars, one per (label, count), longest first as given."""
    row, left = 22, 220
    top = max((v for _, v in items), default=0)
    height = row * max(1, len(items)) + 6
    parts = [
        f'<svg id="{esc(ident)}" class="plot hbars" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    for k, (label, v) in enumerate(items):
        w = (width - left - 80) * v / top if top else 0
        parts.append(
            f'<text x="0" y="{k * row + 16}">{esc(label)}</text>'
            f'<rect class="{esc(css)}" x="{left}" y="{k * row + 4}" width="{w:.1f}" height="{row - 6}"/>'
            f'<text x="{left + w + 6:.1f}" y="{k * row + 16}">{v:,}</text>'
        )
    if not items:
        parts.append('<text x="0" y="18">none in this period</text>')
    parts.append("</svg>")
    return "".join(parts)
