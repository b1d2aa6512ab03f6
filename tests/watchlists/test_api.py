"""Screening on a real node: hit / no-hit first, opening, decisions, manifests, blocks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jisr.agreements.models import CrimeArea
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.exchange.models import Message
from jisr.federation.models import OutboxMessage
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from jisr.watchlists.service import upsert_notice_entry
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, pin_partner
from tests.nodes import make_node
from tests.watchlists.conftest import AMRANI, LEFEBVRE

NOTICE = "FR-DGSI:notice:01JD0000000000000000000001"
OWN_NOTICE = "MA-DGST:notice:01JD0000000000000000000002"
ROLES = {
    "border": Role.BORDER_OFFICER,
    "liaison": Role.LIAISON,
    "auditor": Role.AUDITOR,
    "analyst": Role.ANALYST,
    "dpo": Role.DPO,
}


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    db_url: str

    def post(self, path: str, who: str = "border", **kwargs: Any) -> Response:
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.post(f"/api/v1{path}", headers=headers, **kwargs)

    def get(self, path: str, who: str = "border") -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.get(f"/api/v1{path}", headers=headers)


@pytest.fixture()
def api(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    tokens = {}
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        pin_partner(session, LOCAL, PARTNER)
        add_agreement(session, LOCAL, PARTNER, crime_areas=[CrimeArea.BORDER_SECURITY])
        for name, role in ROLES.items():
            user = create_user(
                session,
                actor_for(admin),
                username=name,
                display_name=name.title(),
                agency_code=None,
                roles=[role],
                password="a long enough password 2026",
            )
            tokens[name], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
        common = {"alert_type": "wanted", "subject": AMRANI}
        upsert_notice_entry(
            session, notice_id=NOTICE, reference="FR/2026/W/42", owner_agency=PARTNER, **common
        )
        upsert_notice_entry(
            session,
            notice_id=OWN_NOTICE,
            reference="MA/2026/W/7",
            alert_type="warning",
            owner_agency=LOCAL,
            subject=LEFEBVRE,
        )
    engine.dispose()
    with TestClient(create_app(load_settings(node.data_dir)), raise_server_exceptions=False) as c:
        yield Api(c, tokens, db_url)


def _check(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.post("/screening/check", json=fields)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_arabic_traveller_hits_latin_entry_details_hidden_until_opened(api: Api) -> None:
    result = _check(api, name="يوسف العمراني", birth_date="1984-03-12", nationality="MA")
    assert result["hit"] is True
    (candidate,) = result["candidates"]
    # Nothing of the listed person: who owns which alert, the score, how often it was seen.
    assert set(candidate) == {
        "hit_id",
        "alert_type",
        "owner_agency",
        "reference",
        "score",
        "seen_count",
    }
    assert candidate["owner_agency"] == PARTNER and candidate["reference"] == "FR/2026/W/42"
    assert "Amrani" not in str(result)

    opened = api.post(
        f"/screening/hits/{candidate['hit_id']}/open", json={"justification": "passport desk 4"}
    )
    assert opened.status_code == 200, opened.text
    assert "Youssef El Amrani" in opened.json()["listed"]["names"]
    assert opened.json()["explanation"]


def test_no_hit_and_policy(api: Api) -> None:
    result = _check(api, name="Jean-Baptiste Morel")
    assert result["hit"] is False and result["candidates"] == []
    refused = api.post("/screening/check", who="analyst", json={"name": "Claire Lefebvre"})
    assert refused.status_code == 403
    bad = api.post("/screening/check", json={"name": "Claire Lefebvre", "birth_date": "2999-01-01"})
    assert bad.status_code == 422


def test_decisions_superseded_and_follow_up_request(api: Api) -> None:
    (candidate,) = _check(api, name="Youssef El Amrani", birth_date="1984-03-12")["candidates"]
    hit = candidate["hit_id"]
    early = api.post(
        f"/screening/hits/{hit}/decision", json={"verdict": "confirmed", "reason": "x y"}
    )
    assert early.status_code == 409  # open it first
    api.post(f"/screening/hits/{hit}/open", json={"justification": "secondary control"})
    first = api.post(
        f"/screening/hits/{hit}/decision",
        json={"verdict": "false_positive", "reason": "different father's name"},
    )
    assert first.status_code == 201 and first.json()["followup_message_id"] is None
    second = api.post(
        f"/screening/hits/{hit}/decision",
        json={"verdict": "confirmed", "reason": "passport number matches the alert"},
    )
    assert second.status_code == 201, second.text
    message_id = second.json()["followup_message_id"]
    assert message_id
    shown = api.post(f"/screening/hits/{hit}/open", json={"justification": "review"}).json()
    assert [d["verdict"] for d in shown["decisions"]] == ["false_positive", "confirmed"]
    assert shown["decisions"][0]["superseded_by"] == second.json()["id"]
    assert shown["status"] == "confirmed"

    engine = make_engine(api.db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        message = session.get(Message, message_id)
        assert message is not None
        assert (message.kind, message.priority, message.recipient_agency) == (
            "request",
            "urgent",
            PARTNER,
        )
        assert message.deadline_at is not None
        notices = session.execute(
            select(OutboxMessage).where(OutboxMessage.envelope_type == "watchlists.hit_notice")
        ).scalars()
        (notice,) = list(notices)
        assert notice.payload["reference"] == "FR/2026/W/42" and "name" not in notice.payload
    engine.dispose()


def test_own_alert_confirmed_sends_nothing(api: Api) -> None:
    (candidate,) = _check(api, name="Claire Lefebvre", birth_date="1979-11-02")["candidates"]
    hit = candidate["hit_id"]
    api.post(f"/screening/hits/{hit}/open", json={"justification": "secondary control"})
    decision = api.post(
        f"/screening/hits/{hit}/decision", json={"verdict": "confirmed", "reason": "same person"}
    )
    assert decision.status_code == 201 and decision.json()["followup_message_id"] is None


MANIFEST = (
    "id,name,birth_date,nationality\n"
    "p1,Youssef El Amrani,1984-03-12,MA\n"
    "p2,Jean-Baptiste Morel,1990-01-05,FR\n"
    "p3,,1980-01-01,FR\n"
    "p4,Ana Ruiz,1985-13-40,ES\n"
    "p5,Claire Lefebvre,1979-11-02,FR\n"
    "p6,Omar Haddad,1970,FR,extra\n"
)


def _wait(api: Api, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = api.get(f"/screening/manifests/{job_id}").json()
        if job["status"] in {"done", "failed"}:
            return job
        time.sleep(0.05)
    raise AssertionError("manifest job did not finish")


@pytest.mark.parametrize("multipart", [False, True])
def test_manifest_job_reports_every_broken_row(api: Api, multipart: bool) -> None:
    if multipart:
        response = api.post(
            "/screening/manifests", files={"file": ("flight.csv", MANIFEST, "text/csv")}
        )
    else:
        response = api.post(
            "/screening/manifests", content=MANIFEST, headers={"content-type": "text/csv"}
        )
    assert response.status_code == 202, response.text
    job = _wait(api, response.json()["id"])
    assert job["status"] == "done", job
    assert job["screened"] + job["rejected"] == 6
    # p4's impossible birth date (1985-13-40) is ignored, not the traveller: screened on the rest.
    assert job["rejected"] == 2
    lines = sorted(int(r.split(":")[0].removeprefix("line ")) for r in job["rejections"])
    assert lines == [4, 7]
    hits = api.get(f"/screening/manifests/{job['id']}/hits").json()
    assert {h["query_id"] for h in hits} == {"p1", "p5"}
    assert all("name" not in h for h in hits)


def test_block_excludes_entry_and_refuses_reads(api: Api) -> None:
    (candidate,) = _check(api, name="Youssef El Amrani", birth_date="1984-03-12")["candidates"]
    request = api.post(
        "/rights/requests",
        who="dpo",
        json={
            "kind": "deletion",
            "subject_name": "Youssef El Amrani",
            "identifiers": {"passport": "XK4471029"},
            "requester": "Maître Dupuis, counsel",
            "received_on": "2026-11-01",
        },
    )
    assert request.status_code == 201, request.text
    rid = request.json()["id"]
    blocked = api.post(
        f"/rights/requests/{rid}/blocks",
        who="dpo",
        json={"record_type": "notice", "record_id": NOTICE},
    )
    assert blocked.status_code == 201, blocked.text
    assert _check(api, name="Youssef El Amrani", birth_date="1984-03-12")["hit"] is False
    refused = api.post(
        f"/screening/hits/{candidate['hit_id']}/open", json={"justification": "secondary"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "record_blocked"
    refused = api.post("/rights/requests", who="border", json=request.json() | {"x": 1})
    assert refused.status_code in {403, 422}

    decided = api.post(
        f"/rights/requests/{rid}/decision",
        who="auditor",
        json={"outcome": "refused", "grounds": "auditors only read"},
    )
    assert decided.status_code == 403 and decided.json()["code"] == "rights_officer_only"
    assert api.get(f"/rights/requests/{rid}", who="auditor").status_code == 200
    decided = api.post(
        f"/rights/requests/{rid}/decision",
        who="dpo",
        json={"outcome": "refused", "grounds": "the alert is lawful and necessary"},
    )
    assert decided.status_code == 201, decided.text
    assert _check(api, name="Youssef El Amrani", birth_date="1984-03-12")["hit"] is True


def test_a_refused_manifest_leaves_no_file_behind(api: Api, tmp_path: Path) -> None:
    folder = tmp_path / "node" / "manifests"
    before = set(folder.glob("*")) if folder.exists() else set()
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"
    response = api.post(
        "/screening/manifests", files={"file": ("flight.pdf", pdf, "application/pdf")}
    )
    assert response.status_code == 422, response.text
    after = set(folder.glob("*")) if folder.exists() else set()
    assert after == before
