"""``GET /api/v1/search`` on a served node: every kind of record through its own API, policy in
the query (a record the caller may not read is neither returned nor counted), problem+json
errors, the index's health."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from tests.cyber.data import bundle, indicator
from tests.exchange.conftest import LOCAL, PARTNER, REFERENCE, add_agreement, pin_partner
from tests.nodes import make_node
from tests.notices.conftest import wanted

ROLES: dict[str, list[Role]] = {
    "liaison": [Role.LIAISON],
    "analyst": [Role.ANALYST],
    "cert": [Role.CERT_ANALYST],
    "coord": [Role.COORDINATOR],
    "trainer": [Role.TRAINER],
    "auditor": [Role.AUDITOR],
    "border": [Role.BORDER_OFFICER],
    "dpo": [Role.DPO],
    "admin2": [Role.ADMIN],
}
PERSON = {
    "id": "p1",
    "schema": "Person",
    "properties": {"name": ["Youssef El Amrani"], "phone": ["+212 612 345 678"]},
}


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]

    def post(self, path: str, who: str, **kwargs: Any) -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **kwargs.pop("headers", {})}
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)

    def get(self, path: str, who: str) -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.get(f"/api/v1{path}", headers=headers)

    def search(self, who: str, **params: Any) -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.get("/api/v1/search", params=params, headers=headers)

    def found(self, who: str, **params: Any) -> dict[str, Any]:
        answer = self.search(who, **params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture()
def api(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    tokens = {}
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        pin_partner(session, LOCAL, PARTNER)
        add_agreement(
            session,
            LOCAL,
            PARTNER,
            crime_areas=[
                CrimeArea.MIGRANT_SMUGGLING,
                CrimeArea.TERRORISM,
                CrimeArea.MAJOR_EVENTS,
                CrimeArea.CYBERCRIME,
            ],
            categories=[
                DataCategory.OPERATIONAL,
                DataCategory.PERSONAL,
                DataCategory.CYBER_INDICATOR,
            ],
        )
        for name, roles in ROLES.items():
            user = create_user(
                session,
                actor_for(admin),
                username=name,
                display_name=name.title(),
                agency_code=None,
                roles=roles,
                password="a long enough password 2026",
            )
            tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    engine.dispose()
    with TestClient(create_app(load_settings(node.data_dir)), raise_server_exceptions=False) as c:
        yield Api(c, tokens)


def _message(api: Api, **extra: Any) -> dict[str, Any]:
    body = {
        "to": PARTNER,
        "agreement": REFERENCE,
        "subject": "Tarifa crossing",
        "body": "A boat left Tangier for Tarifa at night; the organiser is named below.",
        "crime_area": "migrant_smuggling",
        "data_category": "personal",
        "purpose": "Identify the organisers",
        "entities": [PERSON],
        **extra,
    }
    answer = api.post("/messages", "liaison", json=body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def test_every_kind_is_found_through_its_own_api(api: Api) -> None:
    message = _message(api)
    alert = api.post("/notices", "liaison", json=wanted(title="Organiser of the Tarifa crossings"))
    assert alert.status_code == 201, alert.text
    start = utcnow() + timedelta(days=2)
    operation = api.post(
        "/operations",
        "coord",
        json={
            "title": "Operation Tarifa",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=5)).isoformat(),
            "objectives": ["Stop the crossings"],
            "participants": [{"agency": PARTNER, "agreement": REFERENCE}],
        },
    )
    assert operation.status_code == 201, operation.text
    stix = bundle([indicator(1, name="Tarifa ferry phishing kit")])
    imported = api.post(
        "/cyber/imports",
        "cert",
        content=json.dumps(stix),
        params={"tlp": "green"},
        headers={"content-type": "application/json"},
    )
    assert imported.status_code == 201, imported.text

    everything = api.found("auditor", q="tarifa")
    assert everything["counts"] == {
        "message": 1,
        "case": 1,
        "alert": 1,
        "operation": 1,
        "cyber": 1,
    }, everything["counts"]
    assert {r["record_id"] for r in everything["results"]} >= {
        message["id"],
        alert.json()["id"],
        operation.json()["id"],
        indicator(1)["id"],
    }
    # Liaison officers read operations too (policy's ROLE_READS).
    assert api.found("liaison", q="tarifa")["counts"] == {
        "message": 1,
        "case": 1,
        "alert": 1,
        "operation": 1,
    }
    # Coordinators and CERT analysts work with H0 messages and cases too.
    assert api.found("coord", q="tarifa")["counts"] == {"message": 1, "case": 1, "operation": 1}
    assert api.found("cert", q="tarifa")["counts"] == {"message": 1, "case": 1, "cyber": 1}
    assert api.found("liaison", q="phishing")["total"] == 0
    cross = api.found("liaison", q="يوسف العمراني", types="person")
    assert [(r["kind"], r["title"]) for r in cross["results"]] == [("person", "Youssef El Amrani")]
    assert api.found("liaison", q="06 12 34 56 78", types="message")["total"] == 1
    assert api.found("liaison", q="zz0000001", types="alert")["total"] == 1


def test_a_record_the_caller_may_not_read_is_never_returned_nor_counted(api: Api) -> None:
    _message(api, subject="Tarifa crossing, open")
    hidden = _message(
        api,
        subject="Tarifa crossing, restricted",
        handling_code="H3",
        handling_text="For the desk's named officers only",
    )
    mine = api.found("liaison", q="restricted tarifa")
    assert hidden["id"] in {r["record_id"] for r in mine["results"]}
    theirs = api.search("analyst", q="tarifa")
    assert theirs.status_code == 200
    body = theirs.json()
    assert hidden["id"] not in theirs.text and "restricted" not in theirs.text
    assert body["counts"] == {"message": 1, "case": 1} and body["total"] == 2
    nothing = api.found("analyst", q="restricted")
    assert nothing["total"] == 0 and nothing["results"] == [] and nothing["counts"] == {}
    assert api.found("trainer", q="tarifa")["total"] == 0


def test_errors_are_problems_with_stable_codes(api: Api) -> None:
    unknown = api.search("liaison", q="tarifa", types="planet")
    assert unknown.status_code == 422 and unknown.json()["code"] == "search_type_unknown"
    assert unknown.headers["content-type"].startswith("application/problem+json")
    cursor = api.search("liaison", q="tarifa", cursor="bm90LWEtY3Vyc29y")
    assert cursor.status_code == 422 and cursor.json()["code"] == "search_cursor_invalid"
    blank = api.search("liaison", q="   ")
    assert blank.status_code == 422 and blank.json()["code"] == "search_query_invalid"
    assert api.client.get("/api/v1/search", params={"q": "x"}).status_code == 401


def test_the_index_health_is_for_administrators_and_auditors(api: Api) -> None:
    _message(api)
    headers = {"Authorization": f"Bearer {api.tokens['auditor']}"}
    status = api.client.get("/api/v1/search/status", headers=headers)
    assert status.status_code == 200, status.text
    assert status.json()["complete"] is True and status.json()["documents"] == 3
    refused = api.client.get(
        "/api/v1/search/status", headers={"Authorization": f"Bearer {api.tokens['liaison']}"}
    )
    assert refused.status_code == 403
