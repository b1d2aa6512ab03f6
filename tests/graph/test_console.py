"""The graph console: network page (with its drawing's data), entity page, judgement queue."""

from __future__ import annotations

from jisr.actors import system_actor
from jisr.db import make_session_factory, unit_of_work
from jisr.graph.formats import import_ftm
from tests.web.conftest import AGENCY, Console

PHONE = '"phone": ["+212600000901"]'
ENTITIES = [
    '{"id": "MA-DGST.c1", "schema": "Person", "properties": {"name": ["Omar Haddad"], '
    + PHONE
    + "}}",
    '{"id": "MA-DGST.c2", "schema": "Person", "properties": {"name": ["Omer Haddadi Tazi"]}}',
    '{"id": "MA-DGST.c3", "schema": "Person", "properties": {"name": ["عمر حداد"], ' + PHONE + "}}",
]


def _seed(console: Console) -> None:
    with unit_of_work(make_session_factory(console.engine)) as session:
        import_ftm(session, system_actor(AGENCY), ENTITIES, name="console")


def test_network_entity_and_queue_pages(console: Console) -> None:
    _seed(console)
    console.sign_in("karim.analyst")
    page = console.client.get("/graph", params={"entity": "MA-DGST.c1"})
    assert page.status_code == 200
    assert "cytoscape-3.35.0.min.js" in page.text and 'id="graph-canvas"' in page.text
    assert "+212600000901" in page.text and "عمر حداد" in page.text
    data = console.client.get("/graph/data", params={"entity": "MA-DGST.c1"}).json()
    assert {e["data"]["id"] for e in data["elements"]} >= {"MA-DGST.c1", "MA-DGST.c3"}
    entity = console.client.get("/graph/entities/MA-DGST.c3")
    assert entity.status_code == 200 and "import" in entity.text
    queue = console.client.get("/graph/queue")
    assert "Omer Haddadi Tazi" in queue.text
    waiting = queue.text.count('name="left_id"')
    judged = console.post(
        "/graph/judgements",
        {"left_id": "MA-DGST.c1", "right_id": "MA-DGST.c2", "judgement": "negative"},
        follow_redirects=False,
    )
    assert judged.status_code == 303
    assert console.client.get("/graph/queue").text.count('name="left_id"') == waiting - 1
    assert console.audit("combination", "graph_judgement")


def test_auditors_read_in_arabic_without_judging(console: Console) -> None:
    _seed(console)
    console.sign_in("hind.auditor")
    page = console.post("/language", {"lang": "ar", "next": "/graph?entity=MA-DGST.c1"})
    assert page.status_code == 200
    queue = console.client.get("/graph/queue")
    assert "/graph/judgements" not in queue.text and 'dir="rtl"' in page.text


def test_border_officers_do_not_see_the_network(console: Console) -> None:
    console.sign_in("salma.border")
    assert console.client.get("/graph").status_code == 403
