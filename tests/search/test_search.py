"""Search as officers use it, on a real database: names across scripts, phones in any format,
policy in the query (a record one may not read is never returned, counted nor quoted), the
index kept with the records and rebuilt, every search audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update

from jisr.audit.models import AuditEntry
from jisr.errors import ValidationError
from jisr.exchange import messages
from jisr.exchange.models import Message
from jisr.exchange.schemas import MessageCreate
from jisr.search import indexer, service
from jisr.search.documents import Kind
from jisr.search.models import SearchBacklog, SearchDocument
from tests.exchange.conftest import World, message_fields, officer, world

__all__ = ["world"]

YOUSSEF: dict[str, Any] = {
    "id": "p1",
    "schema": "Person",
    "properties": {
        "name": ["Youssef El Amrani"],
        "phone": ["+212 612-345678"],
        "passportNumber": ["AB 1234567"],
    },
}


def _send(world: World, **overrides: Any) -> messages.Message:
    if "entities" in overrides:
        overrides.setdefault("data_category", "personal")
    if overrides.get("handling_code") == "H3":
        overrides.setdefault("handling_text", "For the named officers only")
    fields = message_fields(**overrides)
    return messages.send_message(
        world.session, world.liaison, MessageCreate(**fields), store=world.store
    )


def _ids(page: service.SearchPage) -> set[tuple[str, str]]:
    return {(r.kind, r.record_id) for r in page.results}


def test_a_name_in_arabic_script_finds_the_latin_record(world: World) -> None:
    message = _send(world, subject="Tangier route", entities=[YOUSSEF])
    _send(world, subject="Unrelated", body="Nothing to see about Karim Bennani")
    page = service.search(world.session, world.liaison, "يوسف العمراني")
    assert ("message", message.id) in _ids(page)
    [person] = [r for r in page.results if r.kind == "person"]
    assert (
        person.title == "Youssef El Amrani"
        and person.entity_id
        and person.link.endswith(message.id)
    )
    assert page.counts == {"message": 1, "person": 1}
    assert "<mark>Youssef</mark>" in person.title_html


@pytest.mark.parametrize(
    "typed",
    [
        "+212612345678",
        "+212 6 12 34 56 78",
        "0612345678",
        "06 12 34 56 78",
        "00212612345678",
        "(+212) 612-345-678",
    ],
)
def test_a_phone_in_any_format_finds_the_record(world: World, typed: str) -> None:
    message = _send(world, entities=[YOUSSEF])
    page = service.search(world.session, world.liaison, typed)
    assert ("message", message.id) in _ids(page), typed
    assert ("person", message.id) in _ids(page)


def test_identifiers_match_exactly_and_words_by_prefix(world: World) -> None:
    message = _send(
        world,
        entities=[YOUSSEF],
        body="Boat seen near Tarifa, IBAN MA64 0115 1900 0001 2050 0053 4921",
    )
    assert ("message", message.id) in _ids(
        service.search(world.session, world.liaison, "ab1234567")
    )
    assert ("message", message.id) in _ids(
        service.search(world.session, world.liaison, "AB-123-4567")
    )
    assert ("message", message.id) in _ids(
        service.search(world.session, world.liaison, "MA64011519000001205000534921")
    )
    assert not service.search(world.session, world.liaison, "ab1234568").results
    assert ("message", message.id) in _ids(
        service.search(world.session, world.liaison, "tari boat")
    )
    assert not service.search(world.session, world.liaison, "tarifa plane").results


def test_snippets_are_escaped(world: World) -> None:
    _send(world, body="<script>alert(1)</script> the Tarifa boat & crew")
    [result] = service.search(world.session, world.liaison, "tarifa").results
    assert "<script>" not in result.snippet_html
    assert "&lt;script&gt;" in result.snippet_html and "<mark>Tarifa</mark>" in result.snippet_html


def test_a_need_to_know_case_is_neither_returned_nor_counted(world: World) -> None:
    hidden = _send(world, subject="Secret Tarifa lead", handling_code="H3")
    _send(world, subject="Open Tarifa lead")
    analyst = officer("analyst")
    page = service.search(world.session, analyst, "tarifa")
    assert hidden.id not in {r.record_id for r in page.results}
    # The open lead and its case; the H3 lead and its case are for their members.
    assert page.counts == {"message": 1, "case": 1} and page.total == 2
    assert "Secret" not in page.model_dump_json()
    mine = service.search(world.session, world.liaison, "tarifa")
    assert hidden.id in {r.record_id for r in mine.results}
    assert service.search(world.session, world.auditor, "secret tarifa").total >= 1


def test_a_role_that_reads_no_messages_finds_none(world: World) -> None:
    _send(world, subject="Tarifa lead")
    trainer = officer("trainer")
    page = service.search(world.session, trainer, "tarifa")
    assert page.total == 0 and page.results == [] and page.counts == {}


def test_types_filter_and_cursor(world: World) -> None:
    for n in range(5):
        _send(world, subject=f"Tarifa lead {n}", entities=[{**YOUSSEF, "id": f"p{n}"}])
    page = service.search(world.session, world.liaison, "tarifa", types=[Kind.MESSAGE], limit=2)
    assert page.counts == {"message": 5} and len(page.results) == 2 and page.next_cursor
    seen = {r.record_id for r in page.results}
    while page.next_cursor:
        page = service.search(
            world.session,
            world.liaison,
            "tarifa",
            types=[Kind.MESSAGE],
            limit=2,
            cursor=page.next_cursor,
        )
        seen |= {r.record_id for r in page.results}
    assert len(seen) == 5
    with pytest.raises(ValidationError) as bad:
        service.parse_types(["message,planet"])
    assert bad.value.code == "search_type_unknown"
    with pytest.raises(ValidationError) as bad:
        service.search(world.session, world.liaison, "tarifa", cursor="nonsense")
    assert bad.value.code == "search_cursor_invalid"


def test_each_search_is_audited_with_the_query_hashed(world: World) -> None:
    _send(world, entities=[YOUSSEF])
    service.search(world.session, world.liaison, "Youssef El-Amrani")
    entry = (
        world.session.execute(
            select(AuditEntry)
            .where(AuditEntry.object_type == "search")
            .order_by(AuditEntry.seq.desc())
        )
        .scalars()
        .first()
    )
    assert (
        entry is not None
        and entry.action == "consultation"
        and entry.actor == world.liaison.display
    )
    assert entry.details["query_sha256"] == service.query_digest("youssef el amrani")
    assert "Youssef" not in str(entry.details) and entry.details["counts"]["person"] == 1


def test_withdrawal_removes_the_documents(world: World) -> None:
    message = _send(world, subject="Tarifa lead", entities=[YOUSSEF])
    count = world.session.execute(
        select(func.count())
        .select_from(SearchDocument)
        .where(SearchDocument.record_id == message.id)
    ).scalar_one()
    assert count == 2
    messages.withdraw(world.session, world.liaison, message.id, "sent in error")
    assert not service.search(
        world.session, world.liaison, "youssef", types=[Kind.MESSAGE, Kind.PERSON]
    ).results
    health = indexer.health(world.session)
    assert health.missing["message"] == 0 and health.stale["message"] == 0


def test_a_bulk_statement_indexes_the_rows_it_names(world: World) -> None:
    message = _send(world, subject="Tarifa lead")
    world.session.execute(
        update(Message).where(Message.id == message.id).values(subject="Ceuta lead")
    )
    assert _ids(service.search(world.session, world.liaison, "ceuta", types=[Kind.MESSAGE])) == {
        ("message", message.id)
    }
    assert not service.search(world.session, world.liaison, "tarifa", types=[Kind.MESSAGE]).results
    assert indexer.backlog_size(world.session) == 0


def test_a_bulk_statement_naming_no_rows_queues_its_table(world: World) -> None:
    message = _send(world, subject="Tarifa lead")
    world.session.execute(update(Message).values(subject="Ceuta lead"))
    assert world.session.execute(select(SearchBacklog.record_id)).scalars().all() == ["*"]
    page = service.search(world.session, world.liaison, "ceuta", types=[Kind.MESSAGE])
    assert page.backlog == 1 and not page.results
    assert indexer.health(world.session).backlog == 1
    assert indexer.drain(world.session).records == 1
    assert indexer.backlog_size(world.session) == 0 and indexer.health(world.session).complete
    assert _ids(service.search(world.session, world.liaison, "ceuta", types=[Kind.MESSAGE])) == {
        ("message", message.id)
    }
