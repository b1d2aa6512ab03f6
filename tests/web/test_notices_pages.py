"""Alert pages: writing an alert through the form, the review queue with the automated
findings, approval, publication, refusal statistics and withdrawal."""

from __future__ import annotations

import re
from typing import Any

import pyotp
from sqlalchemy import select

from jisr.clock import utcnow
from jisr.identity import service
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.notices.models import DeletionReceipt, Notice
from tests.web.conftest import PASSWORD, Console

# A second liaison officer: the author of an alert never reviews it.
REVIEWER = "lina.liaison"


def add_user(console: Console, username: str, roles: list[str]) -> None:
    with console.session() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        user = service.create_user(
            session,
            actor_for(admin),
            username=username,
            display_name=username.split(".")[0].capitalize(),
            agency_code=admin.agency_code,
            roles=roles,
            password=PASSWORD,
        )
        seed, _uri = service.begin_totp_enrolment(session, console.settings, user)
        totp = pyotp.TOTP(seed)
        service.confirm_totp_enrolment(
            session, console.settings, user, totp.at(utcnow(), counter_offset=-1)
        )
        session.commit()
    console.totps[username] = totp


def alert_form(**overrides: str) -> dict[str, str]:
    """A fictional wanted person, as typed into the form."""
    fields = {
        "alert_type": "wanted",
        "crime_area": "migrant_smuggling",
        "title": "Organiser of a migrant-smuggling route",
        "name": "Youssef Benkirane-Test",
        "other_names": "يوسف بنكيران\n王小明",
        "birth_date": "1984-03-12",
        "nationality": "MA",
        "gender": "male",
        "document_type": "passport",
        "document_number": "ZZ0000001",
        "offence": "Organised migrant smuggling endangering life",
        "max_penalty_years": "10",
        "warrant_reference": "Arrest warrant 2026/117, investigating judge, Tangier",
        "legal_basis": "Penal code art. 52-1; bilateral extradition convention",
        "handling_code": "H1",
        "valid_until": "",
    }
    fields.update(overrides)
    return fields


def create_alert(console: Console, **overrides: str) -> tuple[str, Any]:
    response = console.post("/alerts/new", alert_form(**overrides))
    assert response.status_code == 200, response.text[:3000]
    match = re.search(r"/alerts/([A-Z]{2}-[A-Z0-9]+:notice:[0-9A-Z]+)", str(response.url))
    assert match, response.url
    return match.group(1), response


def notice_row(console: Console, notice_id: str) -> Notice:
    with console.session() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        session.expunge(notice)
        return notice


def test_alert_written_through_the_form_lands_in_the_review_queue(console: Console) -> None:
    add_user(console, REVIEWER, [Role.LIAISON])
    console.sign_in("amal.liaison")
    form = console.client.get("/alerts/new")
    assert form.status_code == 200 and 'name="other_names"' in form.text
    notice_id, page = create_alert(console)
    assert "passed the automated checks and waits for review" in page.text
    assert "In review" in page.text
    # Names in any script, each with its transliteration beside it.
    assert "يوسف بنكيران" in page.text and 'class="translit"' in page.text
    assert "王小明" in page.text
    assert "Arrest warrant 2026/117" in page.text
    # The author sees no review form on their own alert.
    assert 'action="/alerts/' + notice_id + '/review"' not in page.text
    assert "another liaison officer reviews it" in page.text
    notice = notice_row(console, notice_id)
    assert notice.status == "in_review" and notice.handling_code == "H1"
    assert notice.subject["properties"]["passportNumber"] == ["ZZ0000001"]

    home = console.sign_in(REVIEWER)
    assert "Alerts awaiting your review" in home.text
    queue = console.client.get("/review/alerts")
    assert queue.status_code == 200
    assert notice.reference in queue.text
    assert (
        "Completeness" in queue.text and "identifiers, offence and legal basis given" in queue.text
    )
    assert f'action="/alerts/{notice_id}/review"' in queue.text
    assert console.audit("consultation", "notice_review_queue")
    listing = console.client.get("/alerts", params={"status": "in_review", "origin": "local"})
    assert notice.reference in listing.text
    assert notice.reference not in console.client.get("/alerts?status=published").text


def test_flagged_alert_shows_the_reason_then_is_approved_published_and_withdrawn(
    console: Console,
) -> None:
    add_user(console, REVIEWER, [Role.LIAISON])
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(
        console,
        title="Organiser of opposition protests and smuggling",
        political_context="on",
    )
    console.sign_in(REVIEWER)
    queue = console.client.get("/review/alerts")
    assert "the issuer flagged a political context" in queue.text
    assert "political character" in queue.text and "Mandatory human review" in queue.text

    bare = console.post(f"/alerts/{notice_id}/review", {"decision": "approve", "back": "queue"})
    assert bare.status_code == 422
    assert "write why you approve it" in bare.text
    approved = console.post(
        f"/alerts/{notice_id}/review",
        {"decision": "approve", "comment": "Smuggling facts stand on their own.", "back": "queue"},
    )
    assert approved.status_code == 200 and approved.url.path == "/review/alerts"
    assert "approved and may be published" in approved.text
    assert notice_row(console, notice_id).status == "approved"

    page = console.client.get(f"/alerts/{notice_id}")
    assert f'action="/alerts/{notice_id}/publish"' in page.text
    published = console.post(f"/alerts/{notice_id}/publish")
    assert published.status_code == 200 and "Published" in published.text
    # No partner agreement on this node: the owner is told why nothing went out.
    assert "has no agreement with any partner" in published.text
    assert notice_row(console, notice_id).status == "published"

    withdraw = 'value="withdraw" class="button danger" data-confirm="'
    assert withdraw in published.text
    missing = console.post(f"/alerts/{notice_id}/close", {"action": "withdraw", "reason": ""})
    assert missing.status_code == 422 and "This field is required." in missing.text
    closed = console.post(
        f"/alerts/{notice_id}/close",
        {"action": "withdraw", "reason": "Warrant lifted by the court"},
    )
    assert closed.status_code == 200
    assert "The alert is withdrawn" in closed.text and "Withdrawn" in closed.text
    assert "Warrant lifted by the court" in closed.text
    assert "Deletion receipts" in closed.text
    row = notice_row(console, notice_id)
    assert row.status == "withdrawn" and row.status_reason == "Warrant lifted by the court"
    assert "No partner has sent a deletion receipt yet." in closed.text
    with console.session() as session:
        session.add(
            DeletionReceipt(
                notice_id=notice_id,
                agency="FR-DGSI",
                deleted_at=utcnow(),
                watchlist_entry_removed=True,
                envelope_id="FR-DGSI:envelope:01JD0000000000000000000009",
                signing_key="a1b2c3d4e5f60718",
                payload_digest="0" * 64,
            )
        )
        session.commit()
    receipts = console.client.get(f"/alerts/{notice_id}").text.split("Deletion receipts", 1)[1]
    assert "FR-DGSI" in receipts and "a1b2c3d4e5f60718" in receipts
    assert console.audit("consultation", "notice_deletion_receipts")


def test_pages_read_right_to_left_in_arabic(console: Console) -> None:
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": "ar", "next": "/"})
    notice_id, page = create_alert(console)
    assert '<html lang="ar" dir="rtl">' in page.text and "قيد المراجعة" in page.text
    for url in ("/alerts", "/alerts/new", "/review/alerts", "/screening"):
        response = console.client.get(url)
        assert response.status_code == 200, url
        assert 'dir="rtl"' in response.text
    assert "تحرير نشرة" in console.client.get("/alerts").text


def test_refusal_with_grounds_counts_in_the_statistics(console: Console) -> None:
    add_user(console, REVIEWER, [Role.LIAISON])
    console.sign_in("amal.liaison")
    notice_id, _page = create_alert(console, title="Journalist wanted for sedition")
    console.sign_in(REVIEWER)
    no_ground = console.post(f"/alerts/{notice_id}/review", {"decision": "refuse"})
    assert no_ground.status_code == 422 and "at least one ground" in no_ground.text
    refused = console.post(
        f"/alerts/{notice_id}/review",
        {
            "decision": "refuse",
            "grounds": ["political", "no_legal_basis"],
            "comment": "Article 3",
            "back": "queue",
        },
    )
    assert refused.status_code == 200 and "The alert is refused" in refused.text
    assert "Refusals by ground" in refused.text
    chart = refused.text.split("Refusals by ground", 1)[1]
    assert "Political character" in chart and "No legal basis" in chart
    assert notice_row(console, notice_id).status == "refused"
    page = console.client.get(f"/alerts/{notice_id}")
    assert "Refused" in page.text and "Article 3" in page.text


def test_form_errors_in_french_keep_what_was_typed(console: Console) -> None:
    console.sign_in("amal.liaison")
    console.post("/language", {"lang": "fr", "next": "/alerts/new"})
    response = console.post(
        "/alerts/new", alert_form(name="", nationality="Maroc", title="Passeur recherché")
    )
    assert response.status_code == 422
    assert 'lang="fr"' in response.text
    assert "Ce champ est obligatoire." in response.text
    assert 'value="Passeur recherché"' in response.text
    assert "يوسف بنكيران" in response.text  # the other spellings are kept too
    assert 'aria-invalid="true" aria-describedby="e-nationality"' in response.text
    with console.session() as session:
        assert session.execute(select(Notice)).first() is None


def test_invalid_validity_is_a_field_error(console: Console) -> None:
    console.sign_in("amal.liaison")
    response = console.post("/alerts/new", alert_form(valid_until="2001-01-01"))
    assert response.status_code == 422
    assert 'aria-describedby="e-valid_until"' in response.text
    assert "Choose a date in the future" in response.text


def test_incomplete_alert_stays_a_draft_with_the_missing_items(console: Console) -> None:
    console.sign_in("amal.liaison")
    notice_id, page = create_alert(console, warrant_reference="", max_penalty_years="1")
    assert "The automated checks found problems" in page.text
    assert "the arrest warrant or judicial decision reference" in page.text
    assert "below the threshold" in page.text
    assert notice_row(console, notice_id).status == "draft"


def test_alerts_need_a_role_that_works_with_them(console: Console) -> None:
    console.sign_in("salma.border")
    response = console.client.get("/alerts/new")
    assert response.status_code == 403 and "text/html" in response.headers["content-type"]
    assert console.client.get("/review/alerts").status_code == 403
    assert "/review/alerts" not in console.client.get("/").text
