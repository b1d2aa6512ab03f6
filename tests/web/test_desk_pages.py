"""The officer's desk in the console: forms sent twice make one record, a reply keeps the
stricter handling code, requests get a chosen deadline and a clock, long texts are refused with
their limit and kept, and the hits queue says who, when, where and how often."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from jisr.exchange.models import Message
from jisr.watchlists.models import HitDecision
from tests.exchange.test_inbound import partner_request
from tests.web.conftest import Console
from tests.web.test_exchange_pages import compose_form, receive, sent_message
from tests.web.test_exchange_pages import partner as partner  # noqa: F401 - fixture
from tests.web.test_screening_pages import _HIT, seed_partner_alert

_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
NO_FILE = {"attachments": ("", b"", "application/octet-stream")}


def key_of(html: str) -> str:
    match = _KEY.search(html)
    assert match, "the form carries no idempotency key"
    return match.group(1)


def count_messages(console: Console) -> int:
    with console.session() as session:
        return int(session.execute(select(func.count()).select_from(Message)).scalar_one())


def field(html: str, name: str) -> str:
    return html.split(f'id="f-{name}"')[1].split("</div>")[0]


def test_sending_the_compose_form_twice_sends_one_message(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    form = compose_form(idempotency_key=key_of(partner.client.get("/exchange/compose").text))
    first = partner.post("/exchange/compose", form)
    assert first.status_code == 200 and "Your message is queued for delivery." in first.text
    again = partner.post("/exchange/compose", form)
    assert again.status_code == 200 and again.url.path == first.url.path
    assert "This form was already sent: here is the message it sent." in again.text
    assert count_messages(partner) == 1
    # The form rendered again (as "back" does) has the same key; what is typed differently
    # is another message.
    assert key_of(partner.client.get("/exchange/compose").text) == form["idempotency_key"]
    partner.post("/exchange/compose", {**form, "subject": "Second boat, same route"})
    assert count_messages(partner) == 2
    # Another sign-in session renders another key.
    partner.client.cookies.clear()
    partner.sign_in("karim.analyst")
    assert key_of(partner.client.get("/exchange/compose").text) != form["idempotency_key"]


def test_a_form_shown_again_keeps_its_key(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    key = key_of(partner.client.get("/exchange/compose").text)
    refused = partner.post("/exchange/compose", compose_form(idempotency_key=key, subject=""))
    assert refused.status_code == 422 and key_of(refused.text) == key
    partner.post("/exchange/compose", compose_form(idempotency_key=key))
    partner.post("/exchange/compose", compose_form(idempotency_key=key))
    assert count_messages(partner) == 1


def test_a_text_too_long_is_refused_with_its_limit_in_french_and_kept(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    partner.post("/language", {"lang": "fr", "next": "/"})
    page = partner.client.get("/exchange/compose")
    assert "Jusqu'à 100\u202f000 caractères" in page.text.replace("&#39;", "'")
    body = "Rapport de surveillance. " + "x" * (3_300_000 - 25)
    refused = partner.post(
        "/exchange/compose", compose_form(body=body, data_category="personal"), files=NO_FILE
    )
    assert refused.status_code == 422
    assert "Part exceeded" not in refused.text
    assert "trop long : 100\u202f000 caractères au plus." in field(refused.text, "body")
    assert body in refused.text  # what was typed is given back
    assert count_messages(partner) == 0
    # Past what a form field may hold at all: refused, in French, with the limit.
    huge = partner.post("/exchange/compose", compose_form(body="y" * 9_000_000), files=NO_FILE)
    assert huge.status_code == 413 and "Part exceeded" not in huge.text
    assert "au plus 100\u202f000 caractères" in huge.text


def test_an_answer_to_an_h3_message_defaults_to_h3_and_lowering_needs_a_reason(
    partner: Console,
) -> None:
    restriction = "Usage limité à l'identification; aucune transmission."
    message_id = receive(partner, handling_code="H3", handling_text=restriction)
    partner.sign_in("amal.liaison")
    page = partner.client.get(f"/exchange/messages/{message_id}")
    assert page.status_code == 200
    assert '<option value="H3" selected>' in field(page.text, "handling_code")
    assert restriction in field(page.text, "handling_text").replace("&#39;", "'")
    url = f"/exchange/messages/{message_id}/reply"
    lower: dict[str, Any] = {"body": "Authentique.", "handling_code": "H1"}
    refused = partner.post(url, {**lower, "idempotency_key": key_of(page.text)})
    assert refused.status_code == 422
    assert "less restrictive handling code" in field(refused.text, "handling_lowered_reason")
    assert count_messages(partner) == 1
    reason = "The owner agreed to H1 by phone."
    sent = partner.post(url, {**lower, "handling_lowered_reason": reason})
    assert sent.status_code == 200, sent.text[:2000]
    with partner.session() as session:
        answer = session.execute(
            select(Message).where(Message.in_reply_to == message_id)
        ).scalar_one()
        assert answer.handling_code == "H1"
    [entry] = [e for e in partner.audit("alteration", "message") if e.object_id == answer.id]
    assert entry.justification == reason


def test_a_request_gets_the_deadline_chosen_and_shows_its_clock(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    sent = partner.post("/exchange/compose", compose_form(kind="request", deadline="8h"))
    assert sent.status_code == 200, sent.text[:2000]
    message = sent_message(partner, "Smuggling network, Tangier route")
    assert message.deadline_class == "8h"
    page = partner.client.get(f"/exchange/messages/{message.id}")
    assert "(urgent: 8 hours)" in page.text
    assert re.search(
        r"<time class=\"xc-due\" datetime=\"[^\"]+\">[78] hours left</time>", page.text
    )
    listing = partner.client.get("/exchange/requests")
    assert "hours left" in listing.text
    late = partner_request(subject="Late one", deadline_at="2026-01-01T00:00:00+00:00")
    receive(partner, **{k: late[k] for k in ("subject", "deadline_at")})
    assert "overdue by" in partner.client.get("/exchange/requests").text
    # A date in the past is refused on its field.
    refused = partner.post(
        "/exchange/compose",
        compose_form(kind="request", deadline="date", deadline_at="2020-01-01T09:00"),
    )
    assert refused.status_code == 422
    assert "at least an hour ahead" in field(refused.text, "deadline_at")


def test_screening_names_the_field_that_cannot_be_read(console: Console) -> None:
    console.sign_in("salma.border")
    console.post("/language", {"lang": "fr", "next": "/"})
    refused = console.post("/screening/check", {"name": "---///", "birth_date": "1984-03-12"})
    assert refused.status_code == 422
    assert "Ce nom est illisible" in field(refused.text, "name")
    assert "e-birth_date" not in refused.text and "date de naissance (" not in refused.text


def test_the_hits_queue_folds_repeats_and_a_confirmation_links_its_request(
    console: Console,
) -> None:
    seed_partner_alert(console)
    console.sign_in("salma.border")
    traveller = {"name": "يوسف العمراني", "birth_date": "1984-03-12", "nationality": "MA"}
    first = console.post("/screening/check", {**traveller, "flight": "at 800"})
    again = console.post("/screening/check", {**traveller, "flight": "AT 802"})
    assert _HIT.findall(first.text) == _HIT.findall(again.text)
    [hit_id] = _HIT.findall(again.text)
    queue = console.client.get("/screening/hits")
    assert queue.text.count(f'href="/screening/hits/{hit_id}"') == 1
    for shown in ("يوسف العمراني", "AT 802", "notices", "seen 2 times", "FR-DGSI/2026/R-0042"):
        assert shown in queue.text, shown
    assert "XK4471029" not in queue.text

    opened = console.post(f"/screening/hits/{hit_id}/open", {"justification": "desk 4"})
    form = {
        "verdict": "confirmed",
        "reason": "Document and birth date match",
        "idempotency_key": key_of(opened.text),
    }
    done = console.post(f"/screening/hits/{hit_id}/decision", form)
    assert "an urgent follow-up request was sent" in done.text and "drafted" not in done.text
    link = re.search(r'href="/exchange/messages/([^"]+)"', done.text)
    assert link is not None
    twice = console.post(f"/screening/hits/{hit_id}/decision", form)
    assert "This form was already sent" in twice.text
    with console.session() as session:
        decisions = session.execute(select(HitDecision).where(HitDecision.hit_id == hit_id))
        [decision] = decisions.scalars()
        assert decision.followup_message_id == link.group(1)
