"""The live incident stream (server-sent events) of a major event, read as a browser's
EventSource would, from real served nodes: an incident logged at Rabat appears in the stream
Paris's officer has open on Paris's node; a reconnection with ``Last-Event-ID`` gets what it
missed; whoever may not read the event gets no stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from jisr.clock import utcnow
from jisr.identity.models import Role
from tests.conftest import DatabaseFactory
from tests.operations.nodes import Officer, eventually, make_trio, served

STREAM_TIMEOUT = httpx.Timeout(10, read=60)


def _event() -> dict[str, Any]:
    start = utcnow() + timedelta(days=3)
    return {
        "title": "Africa Cup of Nations, Rabat",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=28)).isoformat(),
        "participants": [{"agency": "FR-DGSI", "agreement": "MA-FR/2026/01"}],
    }


def _entries(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """The ``entry`` events of a ``text/event-stream``, one dict of fields per event."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if fields.get("event") == "entry":
                yield fields
            fields = {}
        elif not line.startswith(":"):  # a comment (keep-alive ping)
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def _stream(officer: Officer, event_id: str, **headers: str) -> Any:
    return officer.client.stream(
        "GET",
        f"/events/{event_id}/incidents/stream",
        headers={"Accept": "text/event-stream", **headers},
        timeout=STREAM_TIMEOUT,
    )


def test_an_incident_logged_at_rabat_appears_in_paris_stream(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    trio = make_trio(tmp_path, databases.new_url)
    with served(trio.rabat, trio.paris, trio.madrid):
        rabat = Officer(trio.rabat, "nadia.coord")
        paris = Officer(trio.paris, "marc.coord")
        event = rabat.post("/events", json=_event())
        eventually(lambda: paris.get("/events"), what="the event at Paris")
        rabat.post(
            f"/events/{event['id']}/incidents",
            json={"title": "Crowd surge at gate 2", "severity": "medium"},
        )
        eventually(lambda: paris.get(f"/events/{event['id']}/incidents"), what="the first")

        with _stream(paris, event["id"]) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            entries = _entries(response.iter_lines())
            sent = rabat.post(
                f"/events/{event['id']}/incidents",
                json={"title": "Unattended bag at gate 4", "severity": "high"},
            )
            # What the log held at the opening is not sent again: the next event is the new one.
            first = next(entries)
        assert first["id"] == sent["entry"]["id"]
        data = json.loads(first["data"])
        assert data["title"] == "Unattended bag at gate 4" and data["severity"] == "high"
        assert data["owner_agency"] == "MA-DGST" and data["received_at"] is not None

        # Disconnected meanwhile, the officer's browser reconnects with the last id it got.
        missed = rabat.post(
            f"/events/{event['id']}/incidents",
            json={"title": "Drone over the stadium", "severity": "critical"},
        )
        eventually(
            lambda: len(paris.get(f"/events/{event['id']}/incidents")) == 3, what="the third"
        )
        with _stream(paris, event["id"], **{"Last-Event-ID": first["id"]}) as response:
            again = next(_entries(response.iter_lines()))
        assert again["id"] == missed["entry"]["id"]


def test_no_stream_for_those_who_may_not_read_the_event(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    trio = make_trio(tmp_path, databases.new_url)
    with served(trio.rabat, trio.paris, trio.madrid):
        rabat = Officer(trio.rabat, "nadia.coord")
        event = rabat.post("/events", json=_event())
        # Madrid takes no part: its node holds no copy, its officers get no stream of it.
        madrid = Officer(trio.madrid, "elena.coord")
        with _stream(madrid, event["id"]) as response:
            assert response.status_code == 404
            assert response.read() and response.json()["code"] == "operation_not_found"
        # An analyst of Rabat works with no operations.
        analyst = Officer(trio.rabat, "karim.analyst", [Role.ANALYST])
        with _stream(analyst, event["id"]) as response:
            assert response.status_code == 403
            assert response.headers["content-type"].startswith("application/problem+json")
        # Nor does anyone unknown.
        anonymous = httpx.get(
            f"{trio.rabat.url}/api/v1/events/{event['id']}/incidents/stream", timeout=10
        )
        assert anonymous.status_code == 401
