"""The operations console area through its pages: list with calendar, an event's page with its
venues, live log fragment and incident form (CSRF, field errors), and the courses page."""

from __future__ import annotations

from datetime import timedelta

from jisr.actors import system_actor
from jisr.clock import utcnow
from jisr.db import make_session_factory, unit_of_work
from jisr.operations import service
from jisr.operations.models import OperationKind
from jisr.operations.schemas import OperationCreate, Venue
from tests.web.conftest import AGENCY, Console, console  # noqa: F401 - the fixture


def _event(web: Console) -> str:
    with unit_of_work(make_session_factory(web.engine)) as session:
        data = OperationCreate(
            title="Africa Cup of Nations, Rabat",
            kind=OperationKind.EVENT,
            starts_at=utcnow() + timedelta(days=1),
            venues=[
                Venue(name="Stade Prince Moulay Abdellah", city="Rabat", lat=33.9596, lon=-6.8893)
            ],
        )
        return service.create_operation(session, system_actor(AGENCY), data).id


def test_event_page_logs_an_incident_and_the_live_log_shows_it(console: Console) -> None:  # noqa: F811
    event_id = _event(console)
    console.sign_in("nadia.coord")
    listing = console.client.get("/operations")
    assert listing.status_code == 200
    assert "Africa Cup of Nations, Rabat" in listing.text and "ops-calendar" in listing.text
    page = console.client.get(f"/operations/{event_id}")
    assert page.status_code == 200
    assert (
        "33.95960, -6.88930" in page.text and f"/api/v1/events/{event_id}/venues.svg" in page.text
    )
    assert 'hx-trigger="every 2s"' in page.text

    missing = console.post(f"/operations/{event_id}/incidents", {"title": "", "severity": "high"})
    assert missing.status_code == 422
    wrong = console.post(
        f"/operations/{event_id}/incidents", {"title": "Gate 4", "severity": "apocalyptic"}
    )
    assert wrong.status_code == 422
    no_token = console.client.post(
        f"/operations/{event_id}/incidents", data={"title": "x", "severity": "low"}
    )
    assert no_token.status_code in {400, 403}
    done = console.post(
        f"/operations/{event_id}/incidents",
        {"title": "Unattended bag at gate 4", "severity": "high"},
    )
    assert done.status_code == 200 and "Unattended bag at gate 4" in done.text
    live = console.client.get(f"/operations/{event_id}/live", headers={"HX-Request": "true"})
    assert "Unattended bag at gate 4" in live.text and "<html" not in live.text
    assert console.audit("consultation", "event")


def test_courses_page_and_roles(console: Console) -> None:  # noqa: F811
    console.sign_in("omar.trainer")
    assert console.client.get("/operations/training").status_code == 200
    console.sign_in("karim.analyst")
    home = console.client.get("/")
    assert 'href="/operations"' not in home.text
    assert console.client.get("/operations").status_code == 403


def test_liaison_officers_follow_operations_without_running_them(console: Console) -> None:  # noqa: F811
    """An event's liaison officers (the demo's logins) see the area, the event and its live log;
    logging incidents stays with the coordinators."""
    event_id = _event(console)
    console.sign_in("amal.liaison")
    home = console.client.get("/")
    assert 'href="/operations"' in home.text
    listing = console.client.get("/operations")
    assert listing.status_code == 200 and "Africa Cup of Nations, Rabat" in listing.text
    page = console.client.get(f"/operations/{event_id}")
    assert page.status_code == 200 and "Stade Prince Moulay Abdellah" in page.text
    assert f'action="/operations/{event_id}/incidents"' not in page.text
    assert console.client.get("/operations/training").status_code == 200
    refused = console.post(
        f"/operations/{event_id}/incidents", {"title": "Gate 4", "severity": "high"}
    )
    assert refused.status_code == 403
