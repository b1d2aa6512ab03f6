"""Operations and events through the API of one node: lifecycle, policy, log times, reports,
exports, the calendar feed and the venue map. Envelopes are queued (the worker is off) and
checked in the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from icalendar import Calendar
from sqlalchemy import select

from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.models import OutboxMessage
from tests.operations.conftest import PARTNER, REFERENCE, Api


def body(**extra: Any) -> dict[str, Any]:
    start = utcnow() + timedelta(days=2)
    return {
        "title": "Operation Sirocco",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=5)).isoformat(),
        "objectives": ["Identify the cell"],
        "participants": [{"agency": PARTNER, "agreement": REFERENCE}],
        **extra,
    }


def outbox(api: Api) -> list[OutboxMessage]:
    engine = make_engine(api.node.settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
    finally:
        engine.dispose()


def create(api: Api, **extra: Any) -> dict[str, Any]:
    response = api.post("/operations", json=body(**extra))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_lifecycle_tasks_children_handover_report(api: Api) -> None:
    parent = create(api)
    assert parent["id"].startswith("MA-DGST:operation:")
    child = create(api, title="Sirocco / Marseille leg", parent_id=parent["id"])
    assert api.get(f"/operations/{parent['id']}").json()["children"] == [child["id"]]
    types = [(m.recipient, m.envelope_type, m.case_ref) for m in outbox(api)]
    assert types == [
        (PARTNER, "operations.operation", parent["id"]),
        (PARTNER, "operations.operation", child["id"]),
    ]

    due = (utcnow() + timedelta(days=1)).isoformat()
    task = api.post(
        f"/operations/{parent['id']}/tasks",
        json={"title": "Check ferry lists", "due_at": due, "owner_agency": PARTNER},
    )
    assert task.status_code == 201, task.text
    stranger = api.post(
        f"/operations/{parent['id']}/tasks",
        json={"title": "x", "due_at": due, "owner_agency": "ES-CGI"},
    )
    assert stranger.status_code == 422 and stranger.json()["code"] == "task_invalid"
    done = api.post(f"/operations/{parent['id']}/tasks/{task.json()['id']}/done")
    assert done.status_code == 200 and done.json()["status"] == "done"

    occurred = (utcnow() - timedelta(hours=5)).isoformat()
    entry = api.post(
        f"/operations/{parent['id']}/log",
        json={"title": "Van seen in Tangier", "occurred_at": occurred},
    )
    assert entry.status_code == 201, entry.text
    sent = entry.json()
    assert sent["sent_to"] == [PARTNER]
    assert sent["entry"]["occurred_at"] < sent["entry"]["recorded_at"]
    naive = api.post(
        f"/operations/{parent['id']}/log", json={"title": "x", "occurred_at": "2026-01-01T10:00:00"}
    )
    assert naive.status_code == 422

    link = api.post(
        f"/operations/{parent['id']}/links",
        json={"kind": "case", "target_id": "MA-DGST:case:01JD0000000000000000000000"},
    )
    assert link.status_code == 404 and link.json()["code"] == "case_not_found"

    handover = api.post(
        f"/operations/{parent['id']}/handover",
        json={"to": PARTNER, "reason": "the cell moved to France"},
    )
    assert handover.status_code == 200, handover.text
    assert (handover.json()["status"], handover.json()["handed_over_to"]) == (
        "handed_over",
        PARTNER,
    )
    again = api.post(f"/operations/{parent['id']}/log", json={"title": "late"})
    assert again.status_code == 409 and again.json()["code"] == "operation_not_active"
    report = api.get(f"/operations/{parent['id']}/report").json()
    assert report["entries"]["by_kind"] == {"note": 1, "handover": 1}
    assert report["tasks"] == {"total": 1, "done": 1, "overdue_open": 0}
    assert [e["kind"] for e in report["timeline"]] == ["note", "handover"]

    closed = api.post(f"/operations/{child['id']}/close", json={"summary": "Leg completed"})
    assert closed.json()["status"] == "closed"
    assert api.get(f"/operations/{child['id']}/report").json()["summary"] == "Leg completed"


def test_policy_roles_and_oversight(api: Api) -> None:
    refused = api.post("/operations", who="analyst", json=body())
    assert refused.status_code == 403
    operation = create(api)
    assert api.get(f"/operations/{operation['id']}", who="auditor").status_code == 200
    write = api.post(f"/operations/{operation['id']}/log", who="auditor", json={"title": "x"})
    assert write.status_code == 403
    bad_agreement = api.post(
        "/operations", json=body(participants=[{"agency": "ES-CGI", "agreement": REFERENCE}])
    )
    assert (
        bad_agreement.status_code == 422 and bad_agreement.json()["code"] == "participant_invalid"
    )


def test_event_incidents_threats_exports_map_calendar(api: Api) -> None:
    venues = [
        {"name": "Stade Prince Moulay Abdellah", "city": "Rabat", "lat": 33.9596, "lon": -6.8893},
        {"name": "Fan zone Bouregreg", "city": "Rabat", "lat": 34.0250, "lon": -6.8230},
    ]
    event = api.post(
        "/events",
        json=body(title="Africa Cup of Nations, Rabat", crime_area="major_events", venues=venues),
    )
    assert event.status_code == 201, event.text
    event_id = event.json()["id"]
    assert event_id.startswith("MA-DGST:event:")
    incident = api.post(
        f"/events/{event_id}/incidents", json={"title": "Crowd surge", "severity": "critical"}
    )
    assert incident.status_code == 201 and incident.json()["entry"]["kind"] == "incident"
    graded = api.post(
        f"/events/{event_id}/incidents", json={"title": "x", "severity": "apocalyptic"}
    )
    assert graded.status_code == 422 and graded.json()["code"] == "severity_invalid"
    threat = api.post(
        f"/events/{event_id}/threats",
        json={"title": "Drone", "severity": "severe", "handling_code": "H2"},
    )
    assert threat.json()["entry"]["handling_code"] == "H2"
    incidents = api.get(f"/events/{event_id}/incidents").json()
    assert [i["severity"] for i in incidents] == ["critical"]

    csv_text = api.get(f"/events/{event_id}/log.csv").text
    assert csv_text.splitlines()[0].startswith("id,kind,severity,title")
    assert len(csv_text.splitlines()) == 3
    svg = api.get(f"/events/{event_id}/venues.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Stade Prince Moulay Abdellah" in svg.text and "33.95960" in svg.text

    token = api.post("/calendar/tokens")
    assert token.status_code == 201
    feed = api.client.get(f"/api/v1/calendar/{token.json()['token']}.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    summaries = [str(c["summary"]) for c in calendar.walk("VEVENT")]
    assert "Africa Cup of Nations, Rabat" in summaries
    wrong = api.client.get("/api/v1/calendar/not-a-real-token-at-all-0000.ics")
    assert wrong.status_code == 401


def test_accreditation_needs_an_event_and_csv(api: Api) -> None:
    operation = create(api)
    refused = api.post(
        f"/events/{operation['id']}/accreditations",
        params={"category": "staff"},
        content=b"id,name\n1,A B\n",
        headers={"Content-Type": "text/csv"},
    )
    assert refused.status_code == 422 and refused.json()["code"] == "not_an_event"
