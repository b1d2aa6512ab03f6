"""Managed cases through the API: status transitions, closing with an outcome, assignee, due
date, labels, links, members; each change in the case's history and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jisr.audit.models import AuditEntry
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.exchange.case_federation import CASE_STATUS_ENVELOPE
from jisr.federation.models import OutboxMessage
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, message_fields, pin_partner
from tests.nodes import make_node

OFFICERS = {
    "amina": Role.LIAISON,
    "youssef": Role.LIAISON,
    "salma": Role.ANALYST,
    "karim": Role.BORDER_OFFICER,
    "auditor": Role.AUDITOR,
}


@dataclass
class Desk:
    client: TestClient
    tokens: dict[str, str]
    ids: dict[str, str]
    db_url: str

    def call(self, method: str, path: str, who: str = "amina", **kwargs: Any) -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def ok(self, method: str, path: str, who: str = "amina", **kwargs: Any) -> Any:
        response = self.call(method, path, who, **kwargs)
        assert response.status_code in {200, 201}, response.text
        return response.json()

    def member(self, name: str) -> str:
        return f"user:{self.ids[name]}"

    def audit(self, ref: str) -> list[dict[str, Any]]:
        engine = make_engine(self.db_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                stmt = select(AuditEntry).where(
                    AuditEntry.object_type == "case", AuditEntry.object_id == ref
                )
                return [dict(e.details or {}) for e in session.execute(stmt).scalars()]
        finally:
            engine.dispose()

    def outbox(self) -> list[dict[str, Any]]:
        engine = make_engine(self.db_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                stmt = select(OutboxMessage).where(
                    OutboxMessage.envelope_type == CASE_STATUS_ENVELOPE
                )
                return [dict(m.payload) for m in session.execute(stmt).scalars()]
        finally:
            engine.dispose()


@pytest.fixture()
def desk(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    tokens, ids = {}, {}
    engine = make_engine(db_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            pin_partner(session, LOCAL, PARTNER)
            add_agreement(session, LOCAL, PARTNER, handling="H2")
            for name, role in OFFICERS.items():
                user = create_user(
                    session,
                    actor_for(admin),
                    username=name,
                    display_name=name.title(),
                    agency_code=None,
                    roles=[role],
                    password="a long enough password 2026",
                )
                ids[name] = user.id
                tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    finally:
        engine.dispose()
    with TestClient(create_app(load_settings(node.data_dir)), raise_server_exceptions=False) as c:
        yield Desk(c, tokens, ids, db_url)


def _open_case(desk: Desk) -> str:
    sent = desk.ok("POST", "/messages", json=message_fields())
    return str(sent["case_ref"])


def _problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_a_case_is_held_closed_with_an_outcome_and_reopened(desk: Desk) -> None:
    ref = _open_case(desk)
    assert desk.ok("GET", f"/cases/{ref}")["case"]["status"] == "open"
    held = desk.ok("POST", f"/cases/{ref}/hold", json={"reason": "Waiting for the court order"})
    assert held["status"] == "on_hold"
    _problem(
        desk.call("POST", f"/cases/{ref}/hold", json={"reason": "again"}),
        409,
        "case_transition_invalid",
    )
    # Closing asks for an outcome from the fixed list, and a note.
    _problem(
        desk.call("POST", f"/cases/{ref}/close", json={"note": "done"}), 422, "validation_failed"
    )
    _problem(
        desk.call("POST", f"/cases/{ref}/close", json={"outcome": "won", "note": "done"}),
        422,
        "validation_failed",
    )
    closed = desk.ok(
        "POST",
        f"/cases/{ref}/close",
        json={"outcome": "arrest", "note": "The organiser was arrested in Tangier."},
    )
    assert (closed["status"], closed["outcome"]) == ("closed", "arrest")
    assert closed["closed_at"] is not None
    # A closed case takes no change and no new message until it is reopened.
    _problem(desk.call("POST", f"/cases/{ref}/labels", json={"add": ["x"]}), 409, "case_closed")
    _problem(desk.call("POST", "/messages", json=message_fields(case_ref=ref)), 409, "case_closed")
    reopened = desk.ok("POST", f"/cases/{ref}/reopen", json={"reason": "A new lead from Paris"})
    assert (reopened["status"], reopened["outcome"], reopened["closed_at"]) == ("open", None, None)
    events = [e["event"] for e in desk.ok("GET", f"/cases/{ref}/events")]
    assert events == ["opened", "held", "closed", "reopened"]
    audited = [d.get("event") for d in desk.audit(ref)]
    assert {"held", "closed", "reopened"} <= set(audited)
    # Each status change is queued for the partner the case was shared with.
    assert [p["status"] for p in desk.outbox()] == ["on_hold", "closed", "open"]
    assert desk.outbox()[1]["outcome"] == "arrest"


def test_only_the_owner_changes_the_status_and_auditors_never_write(desk: Desk) -> None:
    ref = _open_case(desk)
    _problem(
        desk.call("POST", f"/cases/{ref}/hold", "auditor", json={"reason": "not mine"}),
        403,
        "permission_denied",
    )
    _problem(
        desk.call("POST", f"/cases/{ref}/labels", "auditor", json={"add": ["x"]}),
        403,
        "permission_denied",
    )
    # H2: an officer who is not a member does not even see it.
    _problem(
        desk.call("POST", f"/cases/{ref}/hold", "youssef", json={"reason": "not mine"}),
        403,
        "permission_denied",
    )


def test_assign_makes_the_officer_a_member_who_then_reads_the_case(desk: Desk) -> None:
    ref = _open_case(desk)
    assert desk.call("GET", f"/cases/{ref}", "youssef").status_code == 403
    youssef = desk.member("youssef")
    assigned = desk.ok("POST", f"/cases/{ref}/assign", json={"assignee": youssef})
    assert assigned["assignee"] == youssef and youssef in assigned["members"]
    assert desk.ok("GET", f"/cases/{ref}", "youssef")["case"]["assignee"] == youssef
    mine = desk.ok("GET", "/cases", "youssef", params={"assignee": youssef})
    assert [c["ref"] for c in mine] == [ref]
    assert desk.ok("GET", "/cases", params={"assignee": "none"}) == []
    # The assignee is not taken off while assigned; unassigning first works.
    _problem(desk.call("DELETE", f"/cases/{ref}/members/{youssef}"), 409, "case_member_assigned")
    desk.ok("POST", f"/cases/{ref}/assign", json={"assignee": None})
    after = desk.ok("DELETE", f"/cases/{ref}/members/{youssef}")
    assert youssef not in after["members"]
    assert desk.call("GET", f"/cases/{ref}", "youssef").status_code == 403
    _problem(
        desk.call(
            "POST", f"/cases/{ref}/assign", json={"assignee": "user:ES-CNP:user:" + "A" * 26}
        ),
        422,
        "case_member_invalid",
    )
    audited = [d.get("event") for d in desk.audit(ref)]
    assert {"assigned", "unassigned", "member_removed"} <= set(audited)


def test_the_last_member_stays(desk: Desk) -> None:
    ref = _open_case(desk)
    amina = desk.member("amina")
    _problem(desk.call("DELETE", f"/cases/{ref}/members/{amina}"), 409, "case_member_last")
    desk.ok("POST", f"/cases/{ref}/members", json={"member": "role:analyst"})
    assert desk.ok("GET", f"/cases/{ref}", "salma")["case"]["ref"] == ref
    desk.ok("DELETE", f"/cases/{ref}/members/role:analyst")
    assert desk.call("GET", f"/cases/{ref}", "salma").status_code == 403
    _problem(desk.call("DELETE", f"/cases/{ref}/members/role:trainer"), 404, "case_member_unknown")


def test_due_date_labels_and_filters(desk: Desk) -> None:
    ref = _open_case(desk)
    other = _open_case(desk)
    due = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    set_due = desk.ok("POST", f"/cases/{ref}/due", json={"due_at": due.isoformat()})
    assert set_due["due_at"].startswith(due.strftime("%Y-%m-%dT%H:%M:%S"))
    past = (utcnow() - timedelta(days=1)).isoformat()
    _problem(desk.call("POST", f"/cases/{ref}/due", json={"due_at": past}), 422, "case_due_invalid")
    labelled = desk.ok(
        "POST", f"/cases/{ref}/labels", json={"add": ["Tangier route", "طنجة", "tangier  ROUTE"]}
    )
    assert labelled["labels"] == ["tangier route", "طنجة"]
    assert [c["ref"] for c in desk.ok("GET", "/cases", params={"label": "Tangier Route"})] == [ref]
    desk.ok("POST", f"/cases/{ref}/labels", json={"remove": ["طنجة"]})
    _problem(
        desk.call("POST", f"/cases/{ref}/labels", json={"add": ["a;b"]}), 422, "validation_failed"
    )
    desk.ok("POST", f"/cases/{other}/hold", json={"reason": "Waiting for Paris"})
    held = desk.ok("GET", "/cases", params={"status": "on_hold"})
    assert [c["ref"] for c in held] == [other]
    cleared = desk.ok("POST", f"/cases/{ref}/due", json={"due_at": None})
    assert cleared["due_at"] is None


def test_links_to_alerts_hits_operations_and_cases(desk: Desk) -> None:
    ref = _open_case(desk)
    other = _open_case(desk)
    alert = "MA-DGST:notice:01JALERT0000000000000000AB"
    made = desk.ok("POST", f"/cases/{ref}/links", json={"kind": "alert", "target": alert})
    assert made["kind"] == "alert" and made["target_id"] == alert
    desk.ok("POST", f"/cases/{ref}/links", json={"kind": "case", "target": other})
    desk.ok(
        "POST",
        f"/cases/{ref}/links",
        json={"kind": "operation", "target": "FR-DGSI:event:01JEVENT00000000000000000A"},
    )
    _problem(
        desk.call("POST", f"/cases/{ref}/links", json={"kind": "hit", "target": alert}),
        422,
        "case_link_invalid",
    )
    _problem(
        desk.call("POST", f"/cases/{ref}/links", json={"kind": "case", "target": ref}),
        422,
        "case_link_invalid",
    )
    # A case one cannot read is not linked (no way to learn that it exists).
    hidden = "MA-DGST:case:01JHIDDEN000000000000000AB"
    _problem(
        desk.call("POST", f"/cases/{ref}/links", json={"kind": "case", "target": hidden}),
        404,
        "case_not_found",
    )
    assert len(desk.ok("GET", f"/cases/{ref}/links")) == 3
    desk.ok("DELETE", f"/cases/{ref}/links/alert/{alert}")
    assert {link["kind"] for link in desk.ok("GET", f"/cases/{ref}/links")} == {"case", "operation"}
    _problem(desk.call("DELETE", f"/cases/{ref}/links/alert/{alert}"), 404, "case_link_unknown")
    events = [e["event"] for e in desk.ok("GET", f"/cases/{ref}/events")]
    assert events.count("linked") == 3 and events.count("unlinked") == 1
