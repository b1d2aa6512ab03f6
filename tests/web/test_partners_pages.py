"""Partners page: agencies with reachability, agreements with status; admins suspend/resume."""

from __future__ import annotations

from datetime import timedelta

from jisr.agreements.models import Agreement
from jisr.clock import utcnow
from tests.reports.seed import LOCAL, PARTNER, Traffic, add_agreement, pin_partner
from tests.web.conftest import Console

OTHER = "ES-CNP"


def _seed(console: Console) -> str:
    """Two partners: FR failing deliveries (dead + retrying), ES delivered; FR agreement."""
    now = utcnow()
    with console.session() as session:
        pin_partner(session, LOCAL, PARTNER)
        pin_partner(session, LOCAL, OTHER)
        agreement = add_agreement(session, LOCAL, PARTNER)
        other = add_agreement(session, LOCAL, OTHER, reference="MA-ES/01")
        other.valid_until = now + timedelta(days=10)
        fr = Traffic(session, agreement)
        fr.outbox(
            "delivered",
            attempts=1,
            created_at=now - timedelta(days=3),
            delivered_at=now - timedelta(days=3),
        )
        fr.outbox(
            "dead",
            attempts=8,
            error="transport_error: connection refused",
            created_at=now - timedelta(days=2),
        )
        fr.outbox(
            "pending",
            attempts=2,
            error="transport_error: timeout",
            created_at=now - timedelta(days=1),
        )
        fr.outbox("pending")
        es = Traffic(session, other, OTHER)
        es.outbox(
            "delivered",
            attempts=1,
            created_at=now - timedelta(hours=2),
            delivered_at=now - timedelta(hours=1),
        )
        session.commit()
        return agreement.id


def test_partner_list_shows_agreement_status_and_unreachable_partner(console: Console) -> None:
    _seed(console)
    console.sign_in("amal.liaison")
    page = console.client.get("/partners")
    assert page.status_code == 200, page.text[:2000]
    fr = page.text.split(f'id="partner-{PARTNER}"')[1].split("</tr>")[0]
    assert "Unreachable since" in fr
    assert "2 failing deliveries" in fr
    assert "connection refused" in fr or "timeout" in fr
    es = page.text.split(f'id="partner-{OTHER}"')[1].split("</tr>")[0]
    assert "Unreachable" not in es and "Reachable" in es
    assert "MA-FR/EXCHANGE/01" in page.text and "Active" in page.text
    assert "Expires soon" in page.text
    assert " style=" not in page.text


def test_partner_names_follow_the_users_language(console: Console) -> None:
    _seed(console)
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": "fr", "next": "/partners"})
    page = console.client.get("/partners")
    assert "Partenaire" in page.text and "Injoignable depuis" in page.text


def test_home_page_flags_unreachable_partners_and_expiring_agreements(console: Console) -> None:
    _seed(console)
    home = console.sign_in("admin")
    assert "Partner nodes unreachable" in home.text
    assert "Agreements expiring within 30 days" in home.text


def test_admin_suspends_then_reactivates_an_agreement(console: Console) -> None:
    agreement_id = _seed(console)
    console.sign_in("admin")
    url = f"/partners/agreements/{agreement_id}"
    empty = console.post(f"{url}/suspend", {"reason": ""})
    assert empty.status_code == 422 and "This field is required." in empty.text
    done = console.post(f"{url}/suspend", {"reason": "Partner asked for a pause"})
    assert done.status_code == 200 and "The agreement is suspended." in done.text
    with console.session() as session:
        assert session.get(Agreement, agreement_id).status == "suspended"  # type: ignore[union-attr]
    again = console.post(f"{url}/suspend", {"reason": "twice"})
    assert again.status_code == 409
    back = console.post(f"{url}/activate", {"reason": "Pause over"})
    assert "The agreement is active." in back.text
    assert console.audit("config_change", "agreement")[-1].details["to"] == "active"


def test_non_admin_cannot_suspend(console: Console) -> None:
    agreement_id = _seed(console)
    console.sign_in("amal.liaison")
    page = console.client.get(f"/partners/agreements/{agreement_id}")
    assert page.status_code == 200 and "Suspend this agreement" not in page.text
    refused = console.post(f"/partners/agreements/{agreement_id}/suspend", {"reason": "no way"})
    assert refused.status_code == 403
    with console.session() as session:
        assert session.get(Agreement, agreement_id).status == "active"  # type: ignore[union-attr]
