"""Exchange forms through the console: entity rows on compose and reply, withdrawing a message,
reminders for requests, attachments of several megabytes and the upload limit."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from jisr.clock import utcnow
from jisr.exchange.models import Message
from jisr.exchange.storage import BlobStore
from jisr.exchange.wire import MESSAGE_ENVELOPE, WITHDRAW_ENVELOPE
from jisr.federation.models import OutboxMessage
from tests.web.conftest import AGENCY, Console
from tests.web.test_exchange_pages import compose_form, receive, sent_message
from tests.web.test_exchange_pages import partner as partner  # noqa: F401 - fixture

IBAN = "FR76 3000 6000 0112 3456 7890 189"
TOMORROW = (utcnow() + timedelta(days=1)).date().isoformat()


def many_entities(**overrides: Any) -> dict[str, Any]:
    """Two people, a passport, a phone, a bank account and a vehicle."""
    return compose_form(
        **{
            "person-rows": "2",
            "person-1-name": "Youssef El Amrani",
            "person-1-nationality": "es",
            "account-rows": "1",
            "account-0-iban": IBAN,
            "account-0-holder": "person-1",
            "vehicle-rows": "1",
            "vehicle-0-registration": "12345-A-6",
            "vehicle-0-country": "MA",
            "vehicle-0-holder": "person-1",
            **overrides,
        }
    )


def outbox(console: Console, envelope_type: str) -> list[OutboxMessage]:
    with console.session() as session:
        stmt = select(OutboxMessage).where(OutboxMessage.envelope_type == envelope_type)
        return list(session.execute(stmt).scalars())


def field(html: str, name: str) -> str:
    """The markup of one form field, from its input to the end of its wrapper."""
    return html.split(f'id="f-{name}"')[1].split("</div>")[0]


def test_compose_sends_every_entity_row_and_they_travel_to_the_partner(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    response = partner.post("/exchange/compose", many_entities())
    assert response.status_code == 200, response.text[:3000]
    message = sent_message(partner, "Smuggling network, Tangier route")
    by_schema: dict[str, list[dict[str, Any]]] = {}
    for entity in message.entities:
        assert entity["id"].startswith(f"{AGENCY}.")
        by_schema.setdefault(entity["schema"], []).append(entity)
    assert sorted(by_schema) == [
        "BankAccount",
        "Ownership",
        "Passport",
        "Person",
        "UserAccount",
        "Vehicle",
    ]
    karim, youssef = by_schema["Person"]
    assert karim["properties"]["birthDate"] == ["1988-04-12"]
    assert youssef["properties"] == {"name": ["Youssef El Amrani"], "nationality": ["es"]}
    [vehicle] = by_schema["Vehicle"]
    assert vehicle["properties"] == {
        "registrationNumber": ["12345-A-6"],
        "country": ["ma"],
        "owner": [youssef["id"]],
    }
    [account] = by_schema["BankAccount"]
    assert account["properties"]["iban"] == ["FR7630006000011234567890189"]
    [ownership] = by_schema["Ownership"]
    assert ownership["properties"] == {"owner": [youssef["id"]], "asset": [account["id"]]}
    [phone] = by_schema["UserAccount"]
    assert phone["properties"]["owner"] == [karim["id"]]
    # The same entities go to the partner, in the envelope the API's messages go in.
    [envelope] = outbox(partner, MESSAGE_ENVELOPE)
    assert envelope.payload["entities"] == message.entities
    # The thread names the owner of the vehicle rather than showing an id.
    card = response.text.split("12345-A-6")[1].split("</dl>")[0]
    assert "Youssef El Amrani" in card and youssef["id"] not in card


def test_an_invalid_row_is_marked_in_french_and_every_row_kept(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    partner.post("/language", {"lang": "fr", "next": "/"})
    form = many_entities(**{"person-1-birth_date": TOMORROW, "account-0-iban": "FR76 3000 6000"})
    response = partner.post("/exchange/compose", form)
    assert response.status_code == 422
    assert "Une date de naissance ne peut pas être dans le futur." in field(
        response.text, "person-1-birth_date"
    )
    assert "IBAN" in field(response.text, "account-0-iban")
    assert "n'est pas un IBAN valide" in field(response.text, "account-0-iban")
    for kept in ("Youssef El Amrani", "12345-A-6", "FR76 3000 6000", "MA1234567", TOMORROW):
        assert f'value="{kept}"' in response.text
    assert '<option value="person-1" selected>Personne 2 — Youssef El Amrani</option>' in (
        field(response.text, "vehicle-0-holder")
    )
    with partner.session() as session:
        assert session.execute(select(Message)).first() is None


def test_rows_are_added_and_removed_without_script_and_with_htmx(partner: Console) -> None:
    partner.sign_in("karim.analyst")
    added = partner.post("/exchange/compose", many_entities(entity_action="add:person"))
    assert added.status_code == 200
    assert 'name="person-rows" value="3"' in added.text
    assert "autofocus" in field(added.text, "person-2-name")
    assert 'value="Youssef El Amrani"' in added.text
    with partner.session() as session:
        assert session.execute(select(Message)).first() is None
    # Removing the first person moves the second up, and what pointed at it follows.
    removed = partner.post("/exchange/compose", many_entities(entity_action="remove:person-0"))
    assert 'name="person-rows" value="1"' in removed.text
    assert 'value="Youssef El Amrani"' in field(removed.text, "person-0-name")
    assert '<option value="person-0" selected>' in field(removed.text, "vehicle-0-holder")
    assert "selected" not in field(removed.text, "phone-0-holder").split("</option>", 1)[1]
    # HTMX swaps the rows alone; the token comes in the header, as HTMX sends it.
    fragment = partner.client.post(
        "/exchange/entity-rows",
        data={**many_entities(), "entity_action": "add:vehicle"},
        headers={"X-CSRF-Token": partner.csrf, "HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="xc-entity-rows"')
    assert "<html" not in fragment.text and 'name="vehicle-1-registration"' in fragment.text
    forged = partner.client.post("/exchange/entity-rows", data={"entity_action": "add:vehicle"})
    assert forged.status_code == 403


def test_a_reply_carries_entities(partner: Console) -> None:
    request_id = receive(
        partner, subject="Whose is this car?", data_category="operational", entities=[]
    )
    partner.sign_in("amal.liaison")
    page = partner.client.get(f"/exchange/messages/{request_id}")
    assert 'name="vehicle-0-registration"' in page.text
    reply = {
        "body": "The car belongs to this man.",
        "data_category": "personal",
        "person-rows": "1",
        "person-0-name": "Rachid Tazi",
        "vehicle-rows": "1",
        "vehicle-0-registration": "W-123-AB",
        "vehicle-0-holder": "person-0",
    }
    refused = partner.post(
        f"/exchange/messages/{request_id}/reply", {**reply, "data_category": "operational"}
    )
    assert refused.status_code == 422
    assert "Personal data" in field(refused.text, "data_category")
    assert 'value="W-123-AB"' in refused.text
    answer = partner.post(f"/exchange/messages/{request_id}/reply", reply)
    assert answer.status_code == 200, answer.text[:3000]
    with partner.session() as session:
        sent = session.execute(
            select(Message).where(Message.in_reply_to == request_id)
        ).scalar_one()
        person, vehicle = sent.entities
    assert sent.data_category == "personal"
    assert person["properties"]["name"] == ["Rachid Tazi"]
    assert vehicle["properties"]["owner"] == [person["id"]]


def test_withdrawing_a_message_needs_a_reason_is_audited_and_shown(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    partner.post("/exchange/compose", compose_form(subject="Sent by mistake"))
    message = sent_message(partner, "Sent by mistake")
    url = f"/exchange/messages/{message.id}"
    page = partner.client.get(url)
    assert f'action="{url}/withdraw"' in page.text
    missing = partner.post(f"{url}/withdraw", {"reason": ""})
    assert missing.status_code == 422
    assert "This field is required." in field(missing.text, "reason")
    assert "Please correct" not in missing.text.split('id="reply-title"')[1].split("</form>")[0]
    done = partner.post(f"{url}/withdraw", {"reason": "Sent to the wrong partner"})
    assert done.status_code == 200 and done.url.path == url
    assert "The message is withdrawn" in done.text
    assert "This message was withdrawn on" in done.text
    assert f'action="{url}/withdraw"' not in done.text and f'action="{url}/reply"' not in done.text
    [entry] = [e for e in partner.audit("alteration", "message") if e.object_id == message.id]
    assert entry.justification == "Sent to the wrong partner"
    [envelope] = outbox(partner, WITHDRAW_ENVELOPE)
    assert envelope.payload == {"message_id": message.id, "reason": "Sent to the wrong partner"}


def test_oversight_cannot_withdraw(partner: Console) -> None:
    partner.sign_in("amal.liaison")
    partner.post("/exchange/compose", compose_form(subject="Kept"))
    message = sent_message(partner, "Kept")
    partner.sign_in("hind.auditor")
    url = f"/exchange/messages/{message.id}"
    assert "/withdraw" not in partner.client.get(url).text
    refused = partner.post(f"{url}/withdraw", {"reason": "Auditors may not do this"})
    assert refused.status_code == 403
    assert "You are not allowed to do this" in refused.text
    with partner.session() as session:
        stored = session.get(Message, message.id)
        assert stored is not None and stored.withdrawn_at is None


def test_reminders_are_counted_in_the_viewers_language(partner: Console) -> None:
    now = utcnow()
    receive(partner, subject="Long overdue", deadline_at=(now - timedelta(days=2)).isoformat())
    receive(partner, subject="Due tonight", deadline_at=(now + timedelta(hours=5)).isoformat())
    receive(partner, subject="Due next week", deadline_at=(now + timedelta(days=7)).isoformat())
    partner.sign_in("hind.auditor")
    assert "/exchange/requests/reminders" not in partner.client.get("/exchange/requests").text
    assert partner.post("/exchange/requests/reminders").status_code == 403
    partner.sign_in("karim.analyst")
    partner.post("/language", {"lang": "ar", "next": "/"})
    page = partner.client.get("/exchange/requests")
    assert 'action="/exchange/requests/reminders"' in page.text
    sent = partner.post("/exchange/requests/reminders")
    assert sent.status_code == 200 and sent.url.path == "/exchange/requests"
    flash = sent.text.split('class="flash"')[1].split("</div>")[0]
    assert "تذكيران" in flash  # Arabic's dual form: two reminders
    with partner.session() as session:
        states = dict(session.execute(select(Message.subject, Message.reminder_state)).all())
    assert states == {
        "Long overdue": "overdue",
        "Due tonight": "approaching",
        "Due next week": None,
    }
    partner.post("/language", {"lang": "fr", "next": "/"})
    again = partner.post("/exchange/requests/reminders")
    assert "Aucun nouveau rappel" in again.text.split('class="flash"')[1].split("</div>")[0]
    assert [e.details for e in partner.audit("consultation", "reminders")] == [{"returned": 2}]


def test_a_five_megabyte_attachment_is_streamed_into_the_store(partner: Console) -> None:
    content = hashlib.sha256(b"seed").digest() * (5 * 1024 * 1024 // 32) + b"tail"
    partner.sign_in("amal.liaison")
    response = partner.post(
        "/exchange/compose",
        compose_form(subject="Phone dump"),
        files=[("attachments", ("dump.bin", content, "application/octet-stream"))],
    )
    assert response.status_code == 200, response.text[:3000]
    sha = hashlib.sha256(content).hexdigest()
    message = sent_message(partner, "Phone dump")
    assert [(a.sha256, a.filename) for a in message.attachments] == [(sha, "dump.bin")]
    stored = BlobStore.for_data_dir(partner.settings.data_dir).path_for(sha)
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == sha and stored.stat().st_size == len(content)


def test_attachments_over_the_limit_are_a_field_error(partner: Console) -> None:
    ctx = partner.client.app.state.ctx  # type: ignore[attr-defined]
    ctx.settings = ctx.settings.model_copy(update={"attachment_max_bytes": 1024 * 1024})
    partner.sign_in("amal.liaison")
    partner.post("/language", {"lang": "fr", "next": "/"})
    # Over the limit but within the form's room for text: read, refused, what was typed kept.
    over = partner.post(
        "/exchange/compose",
        compose_form(subject="Too big"),
        files=[("attachments", ("big.bin", b"x" * (1024 * 1024 + 1), "application/pdf"))],
    )
    assert over.status_code == 422
    assert "au plus 1\u202fMo" in field(over.text, "attachments")
    assert 'value="Too big"' in over.text
    # Far over: the form is not read at all.
    far = partner.post(
        "/exchange/compose",
        compose_form(subject="Far too big"),
        files=[("attachments", ("huge.bin", b"x" * (4 * 1024 * 1024), "application/pdf"))],
    )
    assert far.status_code == 413
    assert "au plus 1\u202fMo" in field(far.text, "attachments")
    assert "le formulaire n'a pas été lu" in far.text
    with partner.session() as session:
        assert session.execute(select(Message)).first() is None
    # Console posts without files keep the node's body limit (1 MiB).
    bulky = partner.post("/exchange/requests/reminders", {"padding": "x" * (2 * 1024 * 1024)})
    assert bulky.status_code == 413
