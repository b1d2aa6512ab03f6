"""Dashboard pages: one partnership over a rolling window or a calendar period, its trend, all
partners side by side, charts that mirror in Arabic, the signed PDF, the transparency page."""

from __future__ import annotations

import re
from datetime import timedelta

from jisr.clock import utcnow
from jisr.exchange.models import MessageKind
from jisr.federation.keys import create_node_keys
from jisr.reports.periods import current_quarter
from jisr.reports.signing import verify_document
from jisr.training.signing import node_signer
from tests.reports.seed import LOCAL, PARTNER, Traffic, add_agreement, pin_partner
from tests.web.conftest import Console

SECOND = "ES-CGI"


def _seed(console: Console) -> None:
    now = utcnow()
    recent, old = now - timedelta(days=20), now - timedelta(days=120)
    with console.session() as session:
        pin_partner(session, LOCAL, PARTNER)
        pin_partner(session, LOCAL, SECOND)
        traffic = Traffic(session, add_agreement(session, LOCAL, PARTNER))
        add_agreement(session, LOCAL, SECOND, reference="MA-ES/CT/01")
        for _ in range(4):
            traffic.message(outbound=True, created_at=recent)
        traffic.message(outbound=True, created_at=old)
        for hours in (3, 5, 40):  # the partner's answers: median 5 h; 2 of 3 within 24 h
            traffic.message(
                outbound=True,
                kind=MessageKind.REQUEST,
                created_at=recent,
                answered_at=recent + timedelta(hours=hours),
                deadline_at=recent + timedelta(hours=24),
            )
        traffic.message(
            outbound=False,
            kind=MessageKind.REQUEST,
            created_at=recent,
            received_at=recent,
            deadline_at=now - timedelta(hours=1),
        )
        traffic.our_hit_on_their_alert(recent)
        traffic.their_hit_on_our_alert(old)
        traffic.notice(ours=True, at=recent)
        session.commit()


def _kpi(html: str, name: str) -> str:
    match = re.search(rf'id="kpi-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def _row(html: str, table: str, header: str) -> list[str]:
    body = html.split(f'id="table-{table}"', 1)[1].split("</table>", 1)[0]
    match = re.search(
        rf'<th scope="row">(?:<bdi dir="ltr">)?{re.escape(header)}(?:</bdi>)?</th>(.*?)</tr>',
        body,
        re.S,
    )
    assert match, (table, header)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.S)
    ]


def test_dashboard_shows_the_partnerships_figures(console: Console) -> None:
    _seed(console)
    console.sign_in("karim.analyst")
    page = console.client.get("/dashboard", params={"partner": PARTNER, "period": "30d"})
    assert page.status_code == 200, page.text[:2000]
    assert _kpi(page.text, "sent") == "7"
    assert _kpi(page.text, "received") == "1"
    assert _kpi(page.text, "theirs-median") == "5 h"
    assert _kpi(page.text, "ours-median") == "—"
    assert _kpi(page.text, "overdue-ours") == "1"
    assert _kpi(page.text, "overdue-theirs") == "0"
    # The charts show what the tiles do not: deadlines kept, alerts and hits.
    assert 'id="chart-deadlines"' in page.text and 'role="img"' in page.text
    assert "<script>" not in page.text
    assert _row(page.text, "deadlines", "Answered in time") == ["0", "2"]
    assert _row(page.text, "deadlines", "Answered late") == ["0", "1"]
    assert _row(page.text, "deadlines", "Past due, unanswered") == ["1", "0"]
    assert _row(page.text, "alerts", "Screening hits") == ["1", "0"]
    assert 'value="30d" selected' in page.text
    year = console.client.get("/dashboard", params={"partner": PARTNER, "days": 365})
    assert _kpi(year.text, "sent") == "8"
    assert _row(year.text, "alerts", "Screening hits") == ["1", "1"]
    assert [e.details for e in console.audit("consultation", "partner_report")] == [
        {"days": 30},
        {"days": 365},
    ]


def test_a_calendar_quarter_with_its_trend_and_every_partner(console: Console) -> None:
    _seed(console)
    console.sign_in("karim.analyst")
    quarter = current_quarter()
    page = console.client.get("/dashboard", params={"partner": PARTNER, "period": quarter.label})
    assert page.status_code == 200, page.text[:2000]
    trend = page.text.split('id="table-trend"', 1)[1].split("</table>", 1)[0]
    labels = re.findall(r"<bdi dir=\"ltr\">(\d{4}-Q\d)</bdi>", trend)
    assert labels == [p.label for p in quarter.history(4)]
    # This quarter: 4 messages + 3 requests sent; the 120-day-old message falls in an earlier one.
    assert _row(page.text, "trend", quarter.label)[:2] == ["7", "1"]
    assert sum(int(_row(page.text, "trend", p.label)[0]) for p in quarter.history(4)) == 8
    overview = page.text.split('id="table-overview"', 1)[1].split("</table>", 1)[0]
    assert overview.count("<tr") == 3  # header, two partners
    assert f"partner={SECOND}" in overview and 'aria-current="true"' in overview
    assert [e.details for e in console.audit("consultation", "partners_overview")] == [
        {"period": quarter.label, "partners": 2}
    ]


def test_arabic_charts_mirror(console: Console) -> None:
    _seed(console)
    console.sign_in("hind.auditor")
    english = console.client.get("/dashboard", params={"partner": PARTNER})
    assert 'value="90d" selected' in english.text and _kpi(english.text, "sent") == "7"
    arabic = console.post("/language", {"lang": "ar", "next": f"/dashboard?partner={PARTNER}"})
    assert 'dir="rtl"' in arabic.text and "لوحة متابعة التعاون" in arabic.text
    assert _kpi(arabic.text, "theirs-median") == "5 س"
    chart = arabic.text.split('id="chart-deadlines"', 1)[1].split("</svg>", 1)[0]
    assert 'class="report-chart rtl"' in arabic.text
    # Labels end at the right edge; bars grow leftwards from the label column.
    assert re.search(r'<text x="520\.0" y="[\d.]+" text-anchor="end" class="chart-label">', chart)
    bars = [
        float(x) + float(w)
        for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="14', chart)
    ]
    assert bars and all(abs(right - 330.0) < 0.2 for right in bars)
    english_chart = english.text.split('id="chart-deadlines"', 1)[1].split("</svg>", 1)[0]
    assert (
        '<text x="0.0"' in english_chart
        and 'text-anchor="start" class="chart-label"' in english_chart
    )


def test_the_signed_pdf_from_the_console(console: Console) -> None:
    _seed(console)
    create_node_keys(console.settings.data_dir, None)  # the console fixture has none
    console.sign_in("nadia.coord")
    quarter = current_quarter().label
    pdf = console.client.get(
        "/dashboard/report.pdf", params={"partner": PARTNER, "period": quarter}
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    signer = node_signer(console.settings, LOCAL)
    verified = verify_document(pdf.content, lambda _a, k: signer.own_keys.get(k))
    assert verified.report == {
        "kind": "partner",
        "partner": PARTNER,
        "period": quarter,
        "lang": "en",
    }
    assert console.audit("consultation", "partner_report")[-1].details == {
        "period": quarter,
        "format": "pdf",
        "lang": "en",
    }


def test_transparency_page_is_for_audit_readers(console: Console) -> None:
    _seed(console)
    console.sign_in("karim.analyst")
    assert console.client.get("/dashboard/transparency").status_code == 403
    assert "/dashboard/transparency" not in console.client.get("/dashboard").text
    console.sign_in("hind.auditor")
    page = console.client.get("/dashboard/transparency")
    assert page.status_code == 200 and 'id="table-transparency"' in page.text
    assert 'id="figure-requests-open_overdue"' in page.text
    assert console.audit("consultation", "transparency_report")


def test_dashboard_refuses_roles_without_reports_and_bad_periods(console: Console) -> None:
    _seed(console)
    console.sign_in("omar.trainer")
    refused = console.client.get("/dashboard")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "/dashboard" not in console.client.get("/").text
    console.sign_in("nadia.coord")
    assert console.client.get("/dashboard", params={"days": 7}).status_code == 422
    assert console.client.get("/dashboard", params={"period": "2026-Q5"}).status_code == 422
    assert console.client.get("/dashboard", params={"partner": "DE-BKA"}).status_code == 404
