"""Audit trail pages: filters (in the audit service), newest first with "older entries" paging,
entry detail, chain verification, audit of reading."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import func, select, update

from jisr.actors import system_actor
from jisr.audit import AuditAction, AuditEntry, record
from tests.web.conftest import Console


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr id="entry-(\d+)">', html)]


def test_auditor_filters_the_trail(console: Console) -> None:
    console.sign_in("amal.liaison")
    console.sign_in("hind.auditor")
    page = console.client.get("/audit", params={"action": "login"})
    assert page.status_code == 200, page.text[:2000]
    logins = [e.seq for e in console.audit("login")]
    assert len(logins) == 2 and _seqs(page.text) == logins[::-1]
    mine = console.client.get("/audit", params={"action": "login", "actor": "amal.liaison"})
    assert _seqs(mine.text) == [logins[0]]
    export = re.search(r'href="(/audit/export\?[^"]+)"', mine.text)
    assert export, "no export link"
    exported = console.client.get(export.group(1).replace("&amp;", "&"))
    assert exported.status_code == 200
    assert [e["seq"] for e in _lines(exported.text)] == [logins[0]]
    users = console.client.get("/audit", params={"object_type": "user"})
    assert _seqs(users.text) and all(
        e.object_type == "user" for e in _entries(console, _seqs(users.text))
    )
    none = console.client.get("/audit", params={"since": "2999-01-01"})
    assert _seqs(none.text) == [] and "No entry matches these filters." in none.text
    bad = console.client.get("/audit", params={"since": "yesterday", "actor": "amal.liaison"})
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.text
    assert 'value="amal.liaison"' in bad.text


def _entries(console: Console, seqs: list[int]) -> list[AuditEntry]:
    with console.session() as session:
        stmt = select(AuditEntry).where(AuditEntry.seq.in_(seqs))
        return list(session.execute(stmt).scalars())


def test_viewing_the_trail_is_recorded_as_audit_access(console: Console) -> None:
    console.sign_in("hind.auditor")
    console.client.get("/audit", params={"action": "privilege_use", "actor": "admin"})
    access = console.audit("audit_access")
    assert len(access) == 1 and access[0].actor == "hind.auditor"
    assert access[0].details["filter"]["action"] == "privilege_use"
    console.client.get(f"/audit/entries/{access[0].seq}")
    assert len(console.audit("audit_access")) == 2


def test_newest_first_with_older_entries_loaded_by_htmx(console: Console) -> None:
    with console.session() as session:
        for number in range(120):
            record(
                session, system_actor("MA-DGST"), AuditAction.CONFIG_CHANGE, "setting", str(number)
            )
        session.commit()
        total = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    console.sign_in("hind.auditor")
    assert total > 140
    first = console.client.get("/audit")
    seqs = _seqs(first.text)
    # The sign-in is the newest entry; this reading is recorded after the page was read.
    newest = console.audit("login")[-1].seq
    assert seqs == list(range(newest, newest - 50, -1))
    more = re.search(r'hx-get="(/audit\?before_seq=(\d+))"', first.text)
    assert more, "no control for older entries"
    assert int(more.group(2)) == seqs[-1]
    rest = console.client.get(more.group(1), headers={"hx-request": "true"})
    assert "<html" not in rest.text
    assert _seqs(rest.text) == list(range(seqs[-1] - 1, seqs[-1] - 51, -1))
    seen, html = seqs + _seqs(rest.text), rest.text
    while (link := re.search(r'hx-get="(/audit\?before_seq=\d+)"', html)) is not None:
        html = console.client.get(link.group(1), headers={"hx-request": "true"}).text
        seen += _seqs(html)
    assert seen == list(range(newest, 0, -1))


def test_object_type_filter_is_the_services_and_pages_newest_first(console: Console) -> None:
    with console.session() as session:
        for number in range(60):
            actor = system_actor("MA-DGST")
            record(session, actor, AuditAction.CONFIG_CHANGE, "setting", str(number))
            record(session, actor, AuditAction.CONFIG_CHANGE, "schedule", str(number))
        session.commit()
        settings = [
            e.seq
            for e in session.execute(
                select(AuditEntry).where(AuditEntry.object_type == "setting")
            ).scalars()
        ]
    settings.sort(reverse=True)
    console.sign_in("hind.auditor")
    page = console.client.get("/audit", params={"object_type": "setting"})
    assert _seqs(page.text) == settings[:50]
    older = re.search(r'hx-get="(/audit\?object_type=setting&amp;before_seq=(\d+))"', page.text)
    assert older and int(older.group(2)) == settings[49]
    rest = console.client.get(older.group(1).replace("&amp;", "&"), headers={"hx-request": "true"})
    assert _seqs(rest.text) == settings[50:] and "before_seq" not in rest.text
    # One reading of the trail per page, filtered in the query (not window by window).
    reads = console.audit("audit_access")
    assert len(reads) == 2 and reads[0].details["filter"]["object_type"] == "setting"
    assert reads[0].details["returned"] == 51
    # The API offers the same filter, through the same service function.
    api = console.client.get(
        "/api/v1/audit/entries",
        params={"object_type": "setting", "newest_first": "true", "limit": 3},
    )
    assert api.status_code == 200, api.text
    assert [e["seq"] for e in api.json()] == settings[:3]
    export = re.search(r'href="(/audit/export\?[^"]+)"', page.text)
    assert export and "object_type=setting" in export.group(1)
    exported = _lines(console.client.get(export.group(1).replace("&amp;", "&")).text)
    assert [e["seq"] for e in exported] == sorted(settings)  # oldest first, all of them


def test_entry_detail_shows_hashes(console: Console) -> None:
    console.sign_in("admin")
    page = console.client.get("/audit/entries/1")
    assert page.status_code == 200
    entry = _entries(console, [1])[0]
    assert entry.hash in page.text and entry.entry_id in page.text


def test_unknown_entry_is_the_not_found_page(console: Console) -> None:
    console.sign_in("admin")
    assert console.client.get("/audit/entries/999999").status_code == 404


def test_verify_chain_says_intact_then_broken_at_the_tampered_entry(console: Console) -> None:
    console.sign_in("hind.auditor")
    intact = console.post("/audit/verify", headers={"hx-request": "true"})
    assert intact.status_code == 200 and "<html" not in intact.text
    assert "The chain is intact" in intact.text
    with console.session() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 5).values(actor="someone"))
        session.commit()
    broken = console.post("/audit/verify", headers={"hx-request": "true"})
    assert "The chain is broken at entry 5." in broken.text
    assert 'href="/audit/entries/5"' in broken.text
    assert [e.details["intact"] for e in console.audit("audit_access")] == [True, False]
    plain = console.post("/audit/verify")
    assert "<html" in plain.text and "broken at entry 5" in plain.text


def test_other_roles_get_the_error_page(console: Console) -> None:
    console.sign_in("karim.analyst")
    assert 'href="/audit"' not in console.client.get("/").text
    assert console.client.get("/audit").status_code == 403
    assert console.post("/audit/verify").status_code == 403
    assert console.audit("audit_access") == []


def test_the_data_protection_officer_reads_the_trail(console: Console) -> None:
    console.sign_in("leila.dpo")
    assert 'href="/audit"' in console.client.get("/").text
    page = console.client.get("/audit")
    assert page.status_code == 200
    assert console.audit("audit_access")[-1].actor.endswith("leila.dpo")
    api = console.client.get("/api/v1/audit/entries")
    assert api.status_code == 200, api.text


def test_the_actor_filter_matches_part_of_the_name_whatever_the_case(console: Console) -> None:
    console.sign_in("amal.liaison")
    console.sign_in("karim.analyst")
    console.sign_in("hind.auditor")
    logins = {e.actor: e.seq for e in console.audit("login")}
    for part in ("AMAL", "liais", "Amal.Liaison"):
        page = console.client.get("/audit", params={"action": "login", "actor": part})
        assert _seqs(page.text) == [logins["amal.liaison"]], part
    both = console.client.get("/audit", params={"action": "login", "actor": "A"})
    assert set(_seqs(both.text)) == set(logins.values())
    # A wildcard typed by the officer is a character like any other.
    assert _seqs(console.client.get("/audit", params={"actor": "%"}).text) == []


def test_the_export_streams_the_whole_filtered_trail_and_is_audited(console: Console) -> None:
    with console.session() as session:
        for number in range(1_234):
            record(
                session, system_actor("MA-DGST"), AuditAction.CONFIG_CHANGE, "setting", str(number)
            )
        session.commit()
    console.sign_in("hind.auditor")
    response = console.client.get(
        "/audit/export", params={"object_type": "setting", "actor": "SYSTEM"}
    )
    assert response.status_code == 200, response.text[:1000]
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "content-length" not in response.headers  # streamed, not built whole
    assert 'filename="audit-trail-MA-DGST-' in response.headers["content-disposition"]
    rows = _lines(response.text)
    assert len(rows) == 1_234 > 1_000  # past the API's page limit
    assert [r["object_id"] for r in rows] == [str(n) for n in range(1_234)]
    assert all(r["hash"] and r["prev_hash"] for r in rows)
    [export] = [e for e in console.audit("audit_access") if e.details.get("export")]
    assert export.actor == "hind.auditor"
    assert export.details["filter"] == {"object_type": "setting", "actor_contains": "SYSTEM"}


def test_only_trail_readers_export(console: Console) -> None:
    console.sign_in("amal.liaison")
    assert console.client.get("/audit/export").status_code == 403
    assert not [e for e in console.audit("audit_access") if e.details.get("export")]
