"""The graph API on a real node: import, sync, entity, neighbours, path, component, queue,
judgements, exports; problems with stable codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from jisr.settings import load_settings
from tests.nodes import make_node

PROBLEM = "application/problem+json"
H1 = {"name": ["حميد آيت لحسن"], "birthDate": ["1984-03-12"], "phone": ["+212600000418"]}
ENTITIES = [
    {"id": "MA-DGST.h1", "schema": "Person", "properties": H1},
    {
        "id": "MA-DGST.h2",
        "schema": "Person",
        "properties": {"name": ["Hamid Ait Lahcen"], "birthDate": ["1984-03-12"]},
    },
    {"id": "MA-DGST.h3", "schema": "Person", "properties": {"name": ["Omar Haddad"]}},
    {
        "id": "MA-DGST.h4",
        "schema": "Person",
        "properties": {"name": ["Omer Haddadi Tazi"], "phone": ["+212600000418"]},
    },
    {
        "id": "MA-DGST.v1",
        "schema": "Vessel",
        "properties": {"name": ["Nour El Bahr"], "imoNumber": ["9912345"], "owner": ["MA-DGST.h2"]},
    },
]


class Api:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def get(self, path: str, who: str = "analyst", **kwargs: Any) -> Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.get(f"/api/v1/graph{path}", headers=headers, **kwargs)

    def post(self, path: str, who: str = "analyst", **kwargs: Any) -> Response:
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.post(f"/api/v1/graph{path}", headers=headers, **kwargs)


@pytest.fixture()
def api(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("JISR_FEDERATION_WORKER_ENABLED", "false")
    node = make_node(tmp_path / "node", db_url)
    engine = make_engine(db_url)
    tokens = {}
    with unit_of_work(make_session_factory(engine)) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        for role in (Role.ANALYST, Role.BORDER_OFFICER):
            user = create_user(
                session,
                actor_for(admin),
                username=role.value.replace("_", "."),
                display_name=role.value,
                agency_code=None,
                roles=[role],
                password="a long enough password 2026",
            )
            tokens[role.value], _ = issue_token(session, actor_for(user), user.id, "t", ["*"], 1)
    engine.dispose()
    with TestClient(create_app(load_settings(node.data_dir)), raise_server_exceptions=False) as c:
        yield Api(c, tokens)


def _problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code


def _import(api: Api) -> None:
    body = "\n".join(json.dumps(e, ensure_ascii=False) for e in ENTITIES).encode()
    response = api.post(
        "/imports?name=leak&handling_code=H1",
        content=body,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["entities"] == len(ENTITIES)


def test_import_resolve_query_judge_export(api: Api) -> None:
    _import(api)
    entity = api.get("/entities/MA-DGST.h1").json()
    assert entity["same_as"] == ["MA-DGST.h2"]
    assert {(s["prop"], s["handling_code"]) for s in entity["statements"]} >= {("name", "H1")}
    assert api.get("/entities/MA-DGST.h2").json()["cluster_id"] == entity["cluster_id"]

    near = api.get("/entities/MA-DGST.v1/neighbours", params={"depth": 2}).json()
    assert {"MA-DGST.h2", "MA-DGST.h1"} <= {n["id"] for n in near["nodes"]}
    page = api.get("/entities/MA-DGST.v1/neighbours", params={"depth": 3, "limit": 2}).json()
    assert len(page["nodes"]) == 2 and page["next_offset"] == 2 and page["total_nodes"] > 2

    path = api.get("/path", params={"from": "MA-DGST.v1", "to": "MA-DGST.h4"}).json()
    assert [n["id"] for n in path["nodes"]][0] == "MA-DGST.v1"
    assert "value:phone:+212600000418" in {n["id"] for n in path["nodes"]}

    queue = api.get("/queue").json()
    pair = next(q for q in queue if {q["left_id"], q["right_id"]} == {"MA-DGST.h3", "MA-DGST.h4"})
    made = api.post(
        "/judgements",
        json={"left_id": pair["left_id"], "right_id": pair["right_id"], "judgement": "positive"},
    )
    assert made.status_code == 201, made.text
    assert "MA-DGST.h4" in api.get("/entities/MA-DGST.h3").json()["same_as"]
    back = api.post(f"/judgements/{made.json()['id']}/retract", json={"reason": "too quick"})
    assert back.status_code == 200 and back.json()["retracted_at"]
    history = api.get("/judgements", params={"left": "MA-DGST.h3", "right": "MA-DGST.h4"})
    assert [j["judgement"] for j in history.json()] == ["positive"]

    component = api.get("/entities/MA-DGST.v1/component").json()
    assert component["communities"] and component["total_nodes"] >= 5
    ftm = api.get("/entities/MA-DGST.v1/export", params={"format": "ftm"})
    assert {json.loads(line)["id"] for line in ftm.text.splitlines()} >= {"MA-DGST.v1"}
    graphml = api.get("/entities/MA-DGST.v1/export", params={"format": "graphml"})
    assert graphml.text.lstrip().startswith("<graphml") and "MA-DGST.h2" in graphml.text
    gexf = api.get("/entities/MA-DGST.v1/export", params={"format": "gexf"})
    assert "<gexf" in gexf.text and "MA-DGST.h2" in gexf.text
    cyto = api.get("/entities/MA-DGST.v1/export", params={"format": "cytoscape"}).json()
    assert cyto["elements"]["nodes"] and cyto["elements"]["edges"]


def test_problems(api: Api) -> None:
    _problem(api.get("/entities/MA-DGST.nobody"), 404, "graph_entity_not_found")
    _problem(api.get("/queue", who="border_officer"), 403, "permission_denied")
    bad = api.post(
        "/imports",
        content=b'{"id": "a", "schema": "Person", "properties": {}}\nnot json\n',
        headers={"Content-Type": "application/x-ndjson"},
    )
    _problem(bad, 422, "graph_import_invalid")
    assert "line 2" in bad.json()["detail"]
    png = api.post(
        "/imports",
        content=b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
        headers={"Content-Type": "application/octet-stream"},
    )
    _problem(png, 422, "graph_import_invalid")
    _problem(api.get("/entities/MA-DGST.nobody"), 404, "graph_entity_not_found")
    sync = api.post("/sync")
    assert sync.status_code == 200 and sync.json()["sources"] == 0
