"""Printed reports: HTML in the reader's language rendered to PDF by WeasyPrint, then signed.

WeasyPrint shapes text with Pango and HarfBuzz: Arabic is joined and laid out right to left,
provided a font with Arabic glyphs is installed (Debian ``fonts-noto-core``: Noto Naskh Arabic;
``fonts-dejavu-core`` as the fallback; ``make fonts`` installs them).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from jisr.reports import charts, wording
from jisr.reports.service import PartnerReport
from jisr.reports.transparency import Figure, TransparencyReport

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = wording.LANGUAGES


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), cache_size=8
    )


def _helpers(lang: str) -> dict[str, Any]:
    def num(value: float | None) -> str:
        return "—" if value is None else format_decimal(value, locale=lang)

    def hours(value: float | None) -> str:
        return "—" if value is None else wording.text(lang, "hours", hours=num(value))

    def pct(value: float | None) -> str:
        return "—" if value is None else format_percent(value, locale=lang)

    return {
        "lang": lang,
        "t": lambda label, **values: wording.text(lang, label, **values),
        "num": num,
        "hours": hours,
        "pct": pct,
        "date": lambda value: format_date(value, "long", locale=lang),
        "datetime": lambda value: format_datetime(
            value, "d MMMM y HH:mm 'UTC'", tzinfo=None, locale=lang
        ),
        "css": Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),  # noqa: S704 - our own file
    }


def _last_day(end: datetime) -> datetime:
    return end - timedelta(microseconds=1)


def html_bars(rows: list[charts.Row], ours: str, theirs: str) -> Markup:
    """Paired horizontal bars as HTML (WeasyPrint does not shape Arabic inside SVG text, so the
    printed charts are boxes laid out by the page itself; they mirror with its direction)."""
    peak = max([max(r.ours, r.theirs) for r in rows] + [0]) or 1
    parts = [
        '<table class="bars"><caption><span class="key key-ours"></span> '
        f'{escape(ours)} <span class="key key-theirs"></span> {escape(theirs)}</caption>'
    ]
    for row in rows:
        cells = "".join(
            f'<div class="bar-line"><span class="bar {cls}" '
            f'style="width: {value / peak * 78:.1f}%">'
            f'</span><span class="bar-value">{format_decimal(value, locale="en")}</span></div>'
            for cls, value in (("bar-ours", row.ours), ("bar-theirs", row.theirs))
        )
        parts.append(f'<tr><th scope="row">{escape(row.label)}</th><td>{cells}</td></tr>')
    parts.append("</table>")
    return Markup("".join(parts))  # noqa: S704 - every text escaped above


def partner_html(
    report: PartnerReport, lang: str, names: dict[str, str], key_fingerprint: str
) -> str:
    helpers = _helpers(lang)
    t = helpers["t"]
    exchange = html_bars(
        [
            charts.Row(t("messages"), report.messages.ours, report.messages.theirs),
            charts.Row(t("requests"), report.requests.ours, report.requests.theirs),
            charts.Row(
                t("on_time"), report.deadlines.ours.on_time, report.deadlines.theirs.on_time
            ),
            charts.Row(t("hits"), report.hits.ours, report.hits.theirs),
        ],
        t("ours"),
        t("theirs"),
    )
    trend = html_bars(
        [charts.Row(s.period.label, s.sent, s.received) for s in report.trend],
        t("sent"),
        t("received"),
    )
    return (
        _environment()
        .get_template("partner.html")
        .render(
            r=report,
            local_name=names.get(report.local, report.local),
            partner_name=names.get(report.partner, report.partner),
            last_day=_last_day(report.period.end),
            exchange_chart=exchange,
            trend_chart=trend,
            key_fingerprint=key_fingerprint,
            **helpers,
        )
    )


def _query_text(figure: Figure) -> str:
    return json.dumps(figure.query, ensure_ascii=False, sort_keys=True)


def transparency_html(
    report: TransparencyReport, lang: str, local_name: str, key_fingerprint: str
) -> str:
    helpers = _helpers(lang)
    sections = [
        (
            "reviews",
            [report.refusals, *report.refusals_by_ground, report.approvals, report.retractions],
        ),
        (
            "dsr",
            [
                *report.requests_received,
                *report.requests_decided,
                report.decided_in_time,
                report.decided_late,
                report.open_overdue,
                report.open_in_time,
            ],
        ),
    ]

    def label(key: str) -> str:
        if key.startswith("alerts.refused."):
            ground = key.removeprefix("alerts.refused.")
            return "— " + wording.text(lang, f"ground.{ground}")
        return wording.text(lang, key)

    return (
        _environment()
        .get_template("transparency.html")
        .render(
            r=report,
            local_name=local_name,
            last_day=_last_day(report.period.end),
            sections=sections,
            label=label,
            query=_query_text,
            key_fingerprint=key_fingerprint,
            **helpers,
        )
    )


def certificate_html(
    certificate: Any,
    course: Any,
    names: dict[str, str],
    lang: str,
    key_fingerprint: str,
    generated_at: datetime,
) -> str:
    """A training certificate, printed: holder, course, dates, validity, revocation if any."""
    return (
        _environment()
        .get_template("certificate.html")
        .render(
            c=certificate,
            course=course,
            names=names,
            key_fingerprint=key_fingerprint,
            generated_at=generated_at,
            **_helpers(lang),
        )
    )


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (WeasyPrint, imported here: it loads Pango, a few hundred ms)."""
    from weasyprint import HTML

    document: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return document
