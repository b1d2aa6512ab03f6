"""Operation log entries, training courses and imported watchlist entries in ``GET /search``:
each found by who may read it through its own API, and never returned, counted nor quoted for
who may not (an officer without operations, an entry whose operation is no longer readable, a
watchlist entry blocked by a data-subject request)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.operations.models import Operation, Participant
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE
from tests.search.test_api import Api
from tests.search.test_api import api as api  # noqa: F401 - fixture

LIST = (
    "id,name,birth_date,nationality,document_number\nn1,Youssef El Amrani,1975-06-01,MA,XK4471029\n"
)


def _operation(api: Api, title: str = "Operation Sirocco") -> str:
    start = utcnow() + timedelta(days=1)
    created = api.post(
        "/operations",
        "coord",
        json={
            "title": title,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=3)).isoformat(),
            "objectives": ["Stop the night crossings"],
            "participants": [{"agency": PARTNER, "agreement": REFERENCE}],
        },
    )
    assert created.status_code == 201, created.text
    op_id: str = created.json()["id"]
    return op_id


def _log(api: Api, op_id: str, **entry: Any) -> str:
    body = {"kind": "incident", "severity": "high", "title": "Dinghy intercepted", **entry}
    written = api.post(f"/operations/{op_id}/log", "coord", json=body)
    assert written.status_code == 201, written.text
    entry_id: str = written.json()["entry"]["id"]
    return entry_id


def _kinds(api: Api, who: str, q: str) -> dict[str, int]:
    counts: dict[str, int] = api.found(who, q=q)["counts"]
    return counts


def _import_list(api: Api) -> None:
    imported = api.post(
        "/watchlists/national/imports",
        "analyst",
        content=LIST.encode(),
        headers={"content-type": "application/octet-stream"},
    )
    assert imported.status_code == 201, imported.text


def test_log_entries_are_found_by_who_reads_operations(api: Api) -> None:
    op_id = _operation(api)
    entry_id = _log(api, op_id, body="Forty people aboard off Almeria", venue="Almeria port")

    found = api.found("coord", q="almeria")
    assert found["counts"] == {"log_entry": 1}
    [result] = found["results"]
    assert (result["record_id"], result["link"]) == (entry_id, f"/operations/{op_id}")
    assert "<mark>Almeria</mark>" in result["snippet_html"]
    # The operation's title is a word of its entries; the entry's venue too.
    assert _kinds(api, "coord", "sirocco") == {"operation": 1, "log_entry": 1}
    assert _kinds(api, "liaison", "almeria port") == {"log_entry": 1}
    assert _kinds(api, "auditor", "almeria") == {"log_entry": 1}
    only = api.found("coord", q="sirocco", types="log_entry")
    assert only["counts"] == {"log_entry": 1} and only["types"] == ["log_entry"]

    # An analyst does not work with operations: neither the operation nor its log is found,
    # counted or quoted.
    for q in ("almeria", "sirocco", "dinghy"):
        refused = api.search("analyst", q=q)
        assert refused.status_code == 200
        assert refused.json()["total"] == 0 and refused.json()["counts"] == {}
        assert op_id not in refused.text and entry_id not in refused.text


def test_an_entry_whose_operation_is_no_longer_readable_is_not_found(api: Api, db_url: str) -> None:
    # A partner's operation as this node holds its copy, with this agency taking part.
    partner_op = f"{PARTNER}:operation:LEVANTE01"
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        start = utcnow() + timedelta(days=1)
        session.add(
            Operation(
                id=partner_op,
                title="Operation Levante",
                description="Led by the partner",
                owner_agency=PARTNER,
                crime_area="migrant_smuggling",
                data_category="operational",
                handling_code="H1",
                starts_at=start,
                ends_at=start + timedelta(days=3),
                objectives=[],
                venues=[],
                created_by=f"Partner coordinator ({PARTNER})",
                received_at=utcnow(),
            )
        )
        session.flush()
        session.add(
            Participant(
                operation_id=partner_op,
                agency_code=LOCAL,
                agreement_ref=REFERENCE,
                liaison_officers=[],
            )
        )
    engine.dispose()
    # Our own entry in it, written while the agreement covers the operation.
    entry_id = _log(api, partner_op, title="Skiff seen near Motril", body="")
    assert _kinds(api, "coord", "motril") == {"log_entry": 1}
    assert _kinds(api, "coord", "levante") == {"operation": 1, "log_entry": 1}

    [agreement] = [a["id"] for a in api.get("/agreements", "admin2").json()]
    suspended = api.post(f"/agreements/{agreement}/suspend", "admin2", json={"reason": "review"})
    assert suspended.status_code == 200, suspended.text
    # The entry is our agency's, but reading it needs reading its operation (the partner's,
    # no longer covered): neither is found, nor counted.
    assert api.get(f"/operations/{partner_op}/log", "coord").status_code == 403
    for q in ("motril", "levante"):
        refused = api.search("coord", q=q)
        assert refused.json()["counts"] == {}, refused.text
        assert entry_id not in refused.text and partner_op not in refused.text
    # Oversight is not bound by agreements.
    assert _kinds(api, "auditor", "motril") == {"log_entry": 1}


def test_courses_are_found_by_trainers_and_liaison_officers(api: Api) -> None:
    start = utcnow() + timedelta(days=10)
    course = api.post(
        "/courses",
        "trainer",
        json={
            "title": "Document fraud detection",
            "subject": "Forged and altered passports",
            "description": "Ultraviolet features, laminate lifting, page substitution.",
            "location": "Kenitra police academy",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=2)).isoformat(),
        },
    )
    assert course.status_code == 201, course.text
    found = api.found("trainer", q="forged passports")
    assert found["counts"] == {"course": 1}
    assert found["results"][0]["record_id"] == course.json()["id"]
    assert _kinds(api, "trainer", "kenitra") == {"course": 1}
    assert _kinds(api, "liaison", "laminate") == {"course": 1}
    # Coordinators and analysts do not work with training.
    for who in ("coord", "analyst"):
        refused = api.search(who, q="forged")
        assert refused.json()["counts"] == {} and course.json()["id"] not in refused.text


def test_imported_list_entries_are_found_by_name_and_document_until_blocked(api: Api) -> None:
    _import_list(api)
    found = api.found("analyst", q="amrani")
    assert found["counts"] == {"watchlist_entry": 1}
    [entry] = found["results"]
    assert entry["title"] == "Youssef El Amrani" and "1975-06-01" in entry["snippet"]
    assert _kinds(api, "liaison", "XK-447-1029") == {"watchlist_entry": 1}
    assert _kinds(api, "liaison", "يوسف العمراني") == {"watchlist_entry": 1}
    # Border officers screen against the list but do not read it; coordinators neither.
    for who in ("border", "coord"):
        assert api.search(who, q="amrani").json()["counts"] == {}

    request = api.post(
        "/rights/requests",
        "dpo",
        json={
            "kind": "deletion",
            "subject_name": "Youssef El Amrani",
            "requester": "counsel of the data subject",
            "received_on": date.today().isoformat(),
        },
    )
    assert request.status_code == 201, request.text
    block = api.post(
        f"/rights/requests/{request.json()['id']}/blocks",
        "dpo",
        json={"record_type": "watchlist_entry", "record_id": entry["record_id"]},
    )
    assert block.status_code == 201, block.text
    for who in ("analyst", "liaison"):
        hidden = api.search(who, q="amrani")
        assert hidden.json()["counts"] == {} and "Amrani" not in hidden.text
    assert _kinds(api, "dpo", "amrani") == {"watchlist_entry": 1}


def test_a_new_version_of_a_list_replaces_its_entries_in_the_index(api: Api) -> None:
    _import_list(api)
    again = api.post(
        "/watchlists/national/imports",
        "analyst",
        content=b"id,name,birth_date,nationality\nn2,Samira Lahlou,1980,MA\n",
        headers={"content-type": "application/octet-stream"},
        params={"allow_shrink": "true"},
    )
    assert again.status_code == 201, again.text
    assert _kinds(api, "analyst", "amrani") == {}
    assert _kinds(api, "analyst", "lahlou") == {"watchlist_entry": 1}
    status = api.get("/search/status", "auditor").json()
    assert status["complete"] is True, status
    assert status["missing"]["watchlist_entry"] == 0 and status["stale"]["log_entry"] == 0
