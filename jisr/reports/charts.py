"""Server-rendered SVG charts for the dashboard and the printed reports.

Drawn at their natural size in CSS pixels (never scaled down into a card: labels stay 13 px),
and mirrored for right-to-left languages: bars grow from the right, time runs from right to
left, labels sit on the right. Positions are computed here rather than left to the viewer's
``direction`` (browsers and WeasyPrint read SVG ``text-anchor`` under ``direction: rtl``
differently), so the SVG declares ``direction="ltr"`` and anchors each text explicitly.
Every chart is an ``role="img"`` with a text alternative; the figures are also in a table
beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = 13
LABEL_WIDTH = 190
BAR_SPACE = 260
WIDTH = LABEL_WIDTH + BAR_SPACE + 70
FILLS = {"bar-ours": "#1f5fa8", "bar-theirs": "#a85a0c"}


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    ours: float
    theirs: float


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Canvas:
    def __init__(self, width: int, rtl: bool) -> None:
        self.width = width
        self.rtl = rtl
        self.parts: list[str] = []

    def x(self, value: float) -> float:
        return self.width - value if self.rtl else value

    def text(
        self, x: float, y: float, content: str, cls: str, *, anchor_start: bool = True
    ) -> None:
        # In LTR a label starts at x; mirrored, it ends there.
        anchor = (
            ("end" if self.rtl else "start") if anchor_start else ("start" if self.rtl else "end")
        )
        self.parts.append(
            f'<text x="{self.x(x):.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">'
            f"{escape(content)}</text>"
        )

    def middle(self, x: float, y: float, content: str, cls: str) -> None:
        self.parts.append(
            f'<text x="{self.x(x):.1f}" y="{y:.1f}" text-anchor="middle" class="{cls}">'
            f"{escape(content)}</text>"
        )

    def bar(self, x: float, y: float, width: float, height: float, cls: str) -> None:
        left = self.x(x + width) if self.rtl else x
        self.parts.append(
            f'<rect x="{left:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
            f'rx="2" class="{cls}" fill="{FILLS.get(cls, "#555")}"/>'
        )

    def svg(self, height: float, title: str, chart_id: str) -> str:
        body = "".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-t" '
            f'id="{chart_id}" width="{self.width}" height="{height:.0f}" '
            f'viewBox="0 0 {self.width} {height:.0f}" direction="ltr" '
            f'font-size="{FONT}" class="report-chart{" rtl" if self.rtl else ""}">'
            f'<title id="{chart_id}-t">{escape(title)}</title>{body}</svg>'
        )


def legend(canvas: _Canvas, y: float, ours: str, theirs: str) -> None:
    canvas.bar(0, y - 11, 12, 12, "bar-ours")
    canvas.text(18, y, ours, "chart-legend")
    offset = 30 + 8 * max(len(ours), 8)
    canvas.bar(offset, y - 11, 12, 12, "bar-theirs")
    canvas.text(offset + 18, y, theirs, "chart-legend")


def paired_bars(
    title: str,
    rows: Sequence[Row],
    *,
    ours: str,
    theirs: str,
    rtl: bool,
    chart_id: str,
    unit: str = "",
) -> str:
    """Horizontal bars, two per row (ours, theirs), with their values."""
    canvas = _Canvas(WIDTH, rtl)
    peak = max([max(r.ours, r.theirs) for r in rows] + [0])
    y = 18.0
    legend(canvas, y, ours, theirs)
    y += 16
    for row in rows:
        canvas.text(0, y + 16, row.label, "chart-label")
        for offset, value, cls in ((0, row.ours, "bar-ours"), (18, row.theirs, "bar-theirs")):
            width = (value / peak) * BAR_SPACE if peak else 0
            canvas.bar(LABEL_WIDTH, y + offset + 4, width, 14, cls)
            canvas.text(
                LABEL_WIDTH + width + 5, y + offset + 16, f"{_fmt(value)}{unit}", "chart-value"
            )
        y += 44
    return canvas.svg(y + 4, title, chart_id)


def trend_columns(
    title: str,
    points: Sequence[Row],
    *,
    ours: str,
    theirs: str,
    rtl: bool,
    chart_id: str,
) -> str:
    """Columns per period, oldest first (on the left, or on the right when mirrored)."""
    slot = 110
    width = max(WIDTH, 40 + slot * len(points))
    canvas = _Canvas(width, rtl)
    height, base = 230.0, 190.0
    peak = max([max(p.ours, p.theirs) for p in points] + [0])
    legend(canvas, 18, ours, theirs)
    canvas.parts.append(
        f'<line x1="{canvas.x(20):.1f}" x2="{canvas.x(width - 10):.1f}" y1="{base}" y2="{base}" '
        'class="chart-axis"/>'
    )
    for index, point in enumerate(points):
        left = 30 + index * slot
        for offset, value, cls in ((0, point.ours, "bar-ours"), (34, point.theirs, "bar-theirs")):
            tall = (value / peak) * 130 if peak else 0
            x = left + offset
            canvas.parts.append(
                f'<rect x="{(canvas.x(x + 30) if rtl else x):.1f}" y="{base - tall:.1f}" '
                f'width="30" height="{tall:.1f}" rx="2" class="{cls}" fill="{FILLS[cls]}"/>'
            )
            canvas.middle(x + 15, base - tall - 5, _fmt(value), "chart-value")
        canvas.middle(left + 32, base + 20, point.label, "chart-label")
    return canvas.svg(height, title, chart_id)
