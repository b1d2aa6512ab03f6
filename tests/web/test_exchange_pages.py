"""Exchange pages: writing to a partner, the inbox, case threads, deadlines, attachments."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jisr.agreements.models import Agreement
from jisr.clock import utcnow
from jisr.db import DATA_DIR_KEY
from jisr.exchange.federation import receive_chunk, receive_message
from jisr.exchange.models import Message, Receipt
from jisr.exchange.wire import CHUNK_ENVELOPE, MESSAGE_ENVELOPE
from jisr.federation.envelope import EnvelopeHeader
from jisr.federation.handlers import InboundEnvelope
from jisr.ids import new_id
from tests.exchange.conftest import PARTNER, REFERENCE, add_agreement, pin_partner
from tests.exchange.test_inbound import (
    CONTENT,
    partner_attachment,
    partner_chunks,
    partner_request,
)
from tests.web.conftest import AGENCY, Console

OTHER = "ES-CGI"  # a pinned partner without any agreement
PDF = b"%PDF-1.7\n fictional passport scan for the console test\n"


@pytest.fixture()
def partner(console: Console) -> Console:
    """The console node with a partner agency and an active agreement, as exchange tests set up."""
    with console.session() as session:
        pin_partner(session, AGENCY, PARTNER)
        pin_partner(session, AGENCY, OTHER)
        add_agreement(session, AGENCY, PARTNER)
        session.commit()
    return console


def compose_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "to": PARTNER,
        "subject": "Smuggling network, Tangier route",
        "body": "Can you check this person and this phone number?",
        "crime_area": "migrant_smuggling",
        "data_category": "personal",
        "kind": "request",
        "priority": "urgent",
        "handling_code": "H1",
        "grading_scheme": "admiralty",
        "source_reliability": "B",
        "information_credibility": "2",
        "purpose": "Identify the organisers of the Tangier-Algeciras route",
        "person-rows": "1",
        "person-0-name": "كريم بنعلي",
        "person-0-birth_date": "1988-04-12",
        "person-0-nationality": "MA",
        "document-rows": "1",
        "document-0-type": "passport",
        "document-0-number": "MA1234567",
        "document-0-holder": "person-0",
        "phone-rows": "1",
        "phone-0-number": "+212 6 12 34 56 78",
        "phone-0-holder": "person-0",
    }
    form.update(overrides)
    return form


def receive(console: Console, **overrides: Any) -> str:
    """A partner's message arriving through the federation handlers, as exchange tests do:
    its attachment's chunks first, then the message."""
    payload = partner_request(**{"attachments": [partner_attachment()], **overrides})
    now = utcnow()
    with console.session() as session:
        session.info[DATA_DIR_KEY] = console.settings.data_dir
        agreement = session.execute(
            select(Agreement).where(Agreement.reference == REFERENCE)
        ).scalar_one()
        header = EnvelopeHeader(
            id=new_id(PARTNER, "envelope"),
            sender=PARTNER,
            recipient=AGENCY,
            agreement=REFERENCE,
            type=MESSAGE_ENVELOPE,
            created=now.isoformat(),
            expires=(now + timedelta(days=1)).isoformat(),
            sender_key="0" * 16,
            recipient_key="0" * 16,
            digest="0" * 64,
            case=payload["case_ref"],
            data_category=payload["data_category"],
            crime_area=payload["crime_area"],
            handling_code=payload["handling_code"],
        )
        for item in payload["attachments"]:
            for chunk in partner_chunks(CONTENT, item["transfer"]):
                chunk_header = replace(header, id=new_id(PARTNER, "envelope"), type=CHUNK_ENVELOPE)
                receive_chunk(session, InboundEnvelope(chunk_header, chunk, agreement.id))
        receive_message(session, InboundEnvelope(header, payload, agreement.id))
        session.commit()
    return str(payload["id"])


def table(html: str) -> str:
    """The messages table of the list page (the filters above it name cases too)."""
    return html.split('id="xc-messages"')[1]


def sent_message(console: Console, subject: str) -> Message:
    with console.session() as session:
        return session.execute(select(Message).where(Message.subject == subject)).scalar_one()


def test_compose_sends_and_the_message_is_in_the_sent_list_and_the_case_thread(
    partner: Console,
) -> None:
    partner.sign_in("amal.liaison")
    response = partner.post("/exchange/compose", compose_form())
    assert response.status_code == 200, response.text[:3000]
    assert "Your message is queued for delivery." in response.text
    message = sent_message(partner, "Smuggling network, Tangier route")
    assert response.url.path == f"/exchange/cases/{message.case_ref}"
    assert message.kind == "request" and message.deadline_at is not None
    assert (message.grading_scheme, message.source_reliability) == ("admiralty", "B")
    person, passport, phone = message.entities
    assert person["schema"] == "Person" and person["id"].startswith(f"{AGENCY}.person-")
    assert passport["schema"] == "Passport"
    assert passport["properties"] == {
        "number": ["MA1234567"],
        "holder": [person["id"]],
    }
    assert phone["properties"]["phone"] == ["+212612345678"]
    assert phone["properties"]["owner"] == [person["id"]]
    # The thread shows the person readably, with a transliteration of the Arabic name.
    assert '<bdi dir="auto">كريم بنعلي</bdi> <span class="translit"' in response.text
    assert "12 Apr 1988" in response.text
    assert "Morocco" in response.text and "Usually reliable" in response.text
    assert "Not graded" not in response.text
    sent = partner.client.get("/exchange", params={"direction": "outbound"})
    assert "Smuggling network, Tangier route</bdi></a>" in table(sent.text)
    received = partner.client.get("/exchange", params={"direction": "inbound"})
    assert "Smuggling network" not in table(received.text)
    disclosures = partner.audit("disclosure", "message")
    assert [d.object_id for d in disclosures] == [message.id]


def test_field_errors_are_shown_in_french_and_typed_values_kept(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    partner.post("/language", {"lang": "fr", "next": "/"})
    form = compose_form(purpose="", **{"phone-0-number": "12"}, subject="Route de Tanger <b>")
    response = partner.post("/exchange/compose", form)
    assert response.status_code == 422
    assert 'value="Route de Tanger &lt;b&gt;"' in response.text
    assert 'value="MA1234567"' in response.text
    phone_field = response.text.split('id="f-phone-0-number"')[1].split("</div>")[0]
    assert "format international" in phone_field
    purpose_field = response.text.split('id="f-purpose"')[1].split("</div>")[0]
    assert "Ce champ est obligatoire." in purpose_field
    assert re.search(r'<option value="admiralty" selected>', response.text)
    with partner.session() as session:
        assert session.execute(select(Message)).first() is None


def test_grades_must_belong_to_the_chosen_scheme(partner: Console) -> None:
    partner.sign_in("karim.analyst")
    form = compose_form(grading_scheme="europol_4x4", source_reliability="E")
    response = partner.post("/exchange/compose", form)
    assert response.status_code == 422
    field = response.text.split('id="f-source_reliability"')[1].split("</div>")[0]
    assert "not codes of the chosen scheme" in field
    fragment = partner.client.get("/exchange/grades", params={"grading_scheme": "europol_4x4"})
    assert 'value="X"' in fragment.text and 'value="E"' not in fragment.text


def test_agreement_refusals_are_form_errors(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    scope = partner.post("/exchange/compose", compose_form(crime_area="cybercrime"))
    assert scope.status_code == 422
    assert "does not cover this crime area" in scope.text
    assert 'value="Smuggling network, Tangier route"' in scope.text
    none = partner.post("/exchange/compose", compose_form(to=OTHER))
    assert none.status_code == 422
    assert "There is no active agreement with this partner." in none.text
    with partner.session() as session:
        assert session.execute(select(Message)).first() is None


def test_inbound_message_is_in_the_inbox_and_opening_it_records_the_read(
    partner: Console,
) -> None:
    message_id = receive(partner, kind="message", deadline_at=None, subject="Forged passports")
    partner.sign_in("amal.liaison")
    home = partner.client.get("/")
    assert "Unread messages" in home.text
    inbox = table(partner.client.get("/exchange", params={"direction": "inbound"}).text)
    assert "Forged passports" in inbox and "Unread" in inbox
    page = partner.client.get(f"/exchange/messages/{message_id}")
    assert page.status_code == 200
    assert "Seen at Orly" in page.text and "scan.pdf" in page.text
    with partner.session() as session:
        stored = session.get(Message, message_id)
        assert stored is not None and stored.read_at is not None
        kinds = session.execute(
            select(Receipt.kind).where(Receipt.message_id == message_id)
        ).scalars()
        assert set(kinds) == {"delivered", "read"}
    reads = [
        e
        for e in partner.audit("consultation", "message")
        if e.object_id == message_id and e.actor.endswith("amal.liaison")
    ]
    assert len(reads) == 1
    assert "Unread messages" not in partner.client.get("/").text


def test_answering_a_request_from_its_page_closes_it(partner: Console) -> None:
    request_id = receive(partner, subject="Please check passport MA1234567")
    partner.sign_in("amal.liaison")
    page = partner.client.get(f"/exchange/messages/{request_id}")
    assert "Answer this request" in page.text
    answer = partner.post(
        f"/exchange/messages/{request_id}/reply",
        {"body": "The passport was reported stolen in 2024.", "kind": "message"},
    )
    assert answer.status_code == 200, answer.text[:2000]
    assert "Your answer is queued for delivery." in answer.text
    with partner.session() as session:
        request = session.get(Message, request_id)
        assert request is not None and request.answered_at is not None
    assert "Please check passport" not in partner.client.get("/exchange/requests").text


def test_overdue_request_comes_first_and_is_on_the_home_page(partner: Console) -> None:
    receive(
        partner, subject="Due next week", deadline_at=(utcnow() + timedelta(days=7)).isoformat()
    )
    receive(partner, subject="Long overdue", deadline_at=(utcnow() - timedelta(days=2)).isoformat())
    partner.sign_in("karim.analyst")
    page = partner.client.get("/exchange/requests")
    assert page.text.index("Long overdue") < page.text.index("Due next week")
    assert "overdue by 2 days" in page.text and "7 days left" in page.text
    home = partner.client.get("/")
    panel = home.text.split('id="attention-title"')[1]
    overdue = re.search(
        r'tone-danger">\s*<a href="/exchange/requests"><span class="attention-count">(\d+)', panel
    )
    assert overdue and overdue.group(1) == "1"
    assert "Requests awaiting our answer" in panel


def test_attachment_upload_and_download(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    response = partner.post(
        "/exchange/compose",
        compose_form(subject="With a scan"),
        files=[("attachments", ("scan.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 200, response.text[:3000]
    sha = hashlib.sha256(PDF).hexdigest()
    assert f'href="/exchange/attachments/{sha}"' in response.text
    message = sent_message(partner, "With a scan")
    assert [(a.sha256, a.filename) for a in message.attachments] == [(sha, "scan.pdf")]
    download = partner.client.get(f"/exchange/attachments/{sha}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment")
    assert partner.audit("consultation", "attachment")


def test_compose_without_csrf_token_is_refused(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    response = partner.client.post("/exchange/compose", data=compose_form())
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    with partner.session() as session:
        assert session.execute(select(Message)).first() is None


def test_a_border_officer_gets_the_error_page(partner: Console) -> None:
    partner.sign_in("salma.border")
    assert "/exchange" not in partner.client.get("/").text.split("</nav>")[0]
    for url in ("/exchange", "/exchange/compose", "/exchange/requests"):
        response = partner.client.get(url)
        assert response.status_code == 403, url
        assert "You are not allowed to do this" in response.text
    refused = partner.post("/exchange/compose", compose_form())
    assert refused.status_code == 403


def test_subjects_are_escaped(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    subject = "<script>alert(1)</script>"
    response = partner.post("/exchange/compose", compose_form(subject=subject))
    assert response.status_code == 200, response.text[:2000]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert subject not in response.text
    listing = partner.client.get("/exchange")
    assert "&lt;script&gt;alert(1)" in listing.text and subject not in listing.text


def test_pages_render_right_to_left_in_arabic_without_inline_script_or_style(
    partner: Console,
) -> None:
    receive(partner, subject="طلب تحقق", deadline_at=(utcnow() - timedelta(hours=5)).isoformat())
    partner.sign_in("karim.analyst")
    partner.post("/language", {"lang": "ar", "next": "/"})
    with partner.session() as session:
        case_ref = session.execute(select(Message.case_ref)).scalar_one()
    pages = ["/exchange", "/exchange/requests", "/exchange/cases", "/exchange/compose"]
    for url in [*pages, f"/exchange/cases/{case_ref}"]:
        response = partner.client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="ar" dir="rtl">' in response.text
        assert "<script>" not in response.text and " style=" not in response.text
        assert not re.search(r"\son[a-z]+=", response.text), url
    requests = partner.client.get("/exchange/requests").text
    assert "متأخر" in requests and "في انتظار ردّنا" in requests
    assert "Overdue" not in requests
    assert "طلبات متأخرة" in partner.client.get("/").text
