"""Audit trail pages: filters, load more, entry detail, chain verification, audit of reading."""

from __future__ import annotations

import re

from sqlalchemy import func, select, update

from jisr.actors import system_actor
from jisr.audit import AuditAction, AuditEntry, record
from tests.web.conftest import Console


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr id="entry-(\d+)">', html)]


def test_auditor_filters_the_trail(console: Console) -> None:
    console.sign_in("amal.liaison")
    console.sign_in("hind.auditor")
    page = console.client.get("/audit", params={"action": "login"})
    assert page.status_code == 200, page.text[:2000]
    logins = [e.seq for e in console.audit("login")]
    assert _seqs(page.text) == logins[:2]
    mine = console.client.get("/audit", params={"action": "login", "actor": "amal.liaison"})
    assert _seqs(mine.text) == [logins[0]]
    export = re.search(r'href="(/api/v1/audit/entries\?[^"]+)"', mine.text)
    assert export, "no export link"
    exported = console.client.get(export.group(1).replace("&amp;", "&"))
    assert exported.status_code == 200
    assert [e["seq"] for e in exported.json()] == [logins[0]]
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


def test_load_more_pages_with_htmx(console: Console) -> None:
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
    assert _seqs(first.text) == list(range(1, 51))
    more = re.search(r'hx-get="(/audit\?after_seq=50)"', first.text)
    assert more, "no load-more control"
    rest = console.client.get(more.group(1), headers={"hx-request": "true"})
    assert "<html" not in rest.text
    assert _seqs(rest.text)[0] == 51 and len(_seqs(rest.text)) == 50
    seen, html = _seqs(first.text) + _seqs(rest.text), rest.text
    while (link := re.search(r'hx-get="(/audit\?after_seq=\d+)"', html)) is not None:
        html = console.client.get(link.group(1), headers={"hx-request": "true"}).text
        seen += _seqs(html)
    assert seen == list(range(1, len(seen) + 1)) and len(seen) >= total
    settings = console.client.get("/audit", params={"object_type": "setting"})
    assert len(_seqs(settings.text)) == 50
    assert "object_type=setting" in settings.text


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
