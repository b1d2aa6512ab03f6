"""Dashboard page: one partnership's figures, period selector, roles."""

from __future__ import annotations

import re
from datetime import timedelta

from jisr.clock import utcnow
from jisr.exchange.models import MessageKind
from tests.reports.seed import LOCAL, PARTNER, Traffic, add_agreement, pin_partner
from tests.web.conftest import Console


def _seed(console: Console) -> None:
    now = utcnow()
    recent, old = now - timedelta(days=20), now - timedelta(days=120)
    with console.session() as session:
        pin_partner(session, LOCAL, PARTNER)
        traffic = Traffic(session, add_agreement(session, LOCAL, PARTNER))
        for _ in range(4):
            traffic.message(outbound=True, created_at=recent)
        traffic.message(outbound=True, created_at=old)
        for hours in (3, 5, 40):  # the partner's answers: median 5 h
            traffic.message(
                outbound=True,
                kind=MessageKind.REQUEST,
                created_at=recent,
                answered_at=recent + timedelta(hours=hours),
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


def test_dashboard_shows_the_partnerships_figures(console: Console) -> None:
    _seed(console)
    console.sign_in("karim.analyst")
    page = console.client.get("/dashboard", params={"partner": PARTNER, "days": 30})
    assert page.status_code == 200, page.text[:2000]
    assert _kpi(page.text, "sent") == "7"
    assert _kpi(page.text, "received") == "1"
    assert _kpi(page.text, "theirs-median") == "5 h"
    assert _kpi(page.text, "ours-median") == "—"
    assert _kpi(page.text, "overdue-ours") == "1"
    assert _kpi(page.text, "overdue-theirs") == "0"
    assert '<svg role="img"' in page.text and "<script>" not in page.text
    assert '<th scope="row">On their alerts</th><td>1</td>' in page.text
    assert '<th scope="row">On our alerts</th><td>0</td>' in page.text
    assert 'value="30" checked' in page.text
    year = console.client.get("/dashboard", params={"partner": PARTNER, "days": 365})
    assert _kpi(year.text, "sent") == "8"
    assert '<th scope="row">On our alerts</th><td>1</td>' in year.text
    assert [e.details for e in console.audit("consultation", "partner_report")] == [
        {"days": 30},
        {"days": 365},
    ]


def test_dashboard_defaults_to_the_first_partner_and_90_days(console: Console) -> None:
    _seed(console)
    console.sign_in("hind.auditor")
    page = console.client.get("/dashboard")
    assert page.status_code == 200
    assert 'value="90" checked' in page.text and _kpi(page.text, "sent") == "7"
    arabic = console.post("/language", {"lang": "ar", "next": "/dashboard"})
    assert 'dir="rtl"' in arabic.text and "لوحة متابعة التعاون" in arabic.text
    assert _kpi(arabic.text, "theirs-median") == "5 س"


def test_dashboard_refuses_roles_without_reports_and_bad_periods(console: Console) -> None:
    _seed(console)
    console.sign_in("omar.trainer")
    refused = console.client.get("/dashboard")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "/dashboard" not in console.client.get("/").text
    console.sign_in("nadia.coord")
    assert console.client.get("/dashboard", params={"days": 7}).status_code == 422
    assert console.client.get("/dashboard", params={"partner": "DE-BKA"}).status_code == 404
