"""An offline map of an event's venues: an SVG drawn from their coordinates alone (no tile
server is reachable from a node), plus the plain list with coordinates beside it.

The projection is equirectangular around the venues' bounding box, with longitude scaled by
the cosine of the mean latitude so distances look right at city scale; a graticule every
0.01° / 0.1° / 1° (whichever suits the box) lets officers read coordinates off it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH, HEIGHT, MARGIN = 640, 420, 40


def _step(span: float) -> float:
    for step in (0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0):
        if span / step <= 8:
            return step
    return 30.0


def venues_svg(venues: Sequence[Mapping[str, Any]], title: str) -> str:
    points = [(float(v["lat"]), float(v["lon"]), str(v.get("name", ""))) for v in venues]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f1ea" stroke="#999"/>',
    ]
    if not points:
        parts.append('<text x="20" y="40" font-size="14">—</text></svg>')
        return "".join(parts)
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    pad = 0.01
    south, north = min(lats) - pad, max(lats) + pad
    west, east = min(lons) - pad, max(lons) + pad
    kx = math.cos(math.radians((south + north) / 2))
    scale = min(
        (WIDTH - 2 * MARGIN) / ((east - west) * kx), (HEIGHT - 2 * MARGIN) / (north - south)
    )

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return MARGIN + (lon - west) * kx * scale, HEIGHT - MARGIN - (lat - south) * scale

    step = _step(max(north - south, east - west))
    value = math.ceil(south / step) * step
    while value <= north:
        _x, y = xy(value, west)
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}" stroke="#ccc"/>'
            f'<text x="2" y="{y - 2:.1f}" font-size="9" fill="#555">{value:.3f}°</text>'
        )
        value += step
    value = math.ceil(west / step) * step
    while value <= east:
        x, _y = xy(south, value)
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{HEIGHT}" stroke="#ccc"/>'
            f'<text x="{x + 2:.1f}" y="{HEIGHT - 4}" font-size="9" fill="#555">{value:.3f}°</text>'
        )
        value += step
    for n, (lat, lon, name) in enumerate(points, start=1):
        x, y = xy(lat, lon)
        parts.append(
            f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#b22222"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="9" fill="#fff" '
            f'text-anchor="middle">{n}</text>'
            f'<text x="{x + 10:.1f}" y="{y + 4:.1f}" font-size="12">{escape(name)}</text>'
            f"<title>{escape(name)} ({lat:.5f}, {lon:.5f})</title></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def venues_text(venues: Sequence[Mapping[str, Any]]) -> str:
    lines = []
    for n, v in enumerate(venues, start=1):
        where = f"{float(v['lat']):.5f}, {float(v['lon']):.5f}"
        lines.append(f"{n}. {v.get('name', '')} ({v.get('city', '')}) {where}")
    return "\n".join(lines)
