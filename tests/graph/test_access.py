"""Access control on every edge: per role, per handling code, and no leak through a path or a
count once a partner's records may no longer be seen (its agreement suspended)."""

from __future__ import annotations

import json

import pytest

from jisr.actors import system_actor
from jisr.agreements.models import AgreementStatus
from jisr.agreements.service import change_status
from jisr.errors import NotFoundError, PermissionDeniedError
from jisr.graph import queries
from jisr.graph.formats import ExportFormat, export_graph
from jisr.graph.ingest import sync
from jisr.graph.judgements import judge, queue
from jisr.graph.models import Judgement
from tests.exchange.conftest import officer
from tests.graph.conftest import LOCAL, MADRID, PARIS, GraphWorld, person

ROLES_SEEING = ("analyst", "liaison", "auditor", "dpo")
ROLES_REFUSED = ("border_officer", "cert_analyst", "coordinator", "trainer", "admin")
R, P, M = f"{LOCAL}.r1", f"{PARIS}.p1", f"{MADRID}.m1"
IBAN = "FR7630006000011234567890189"


def _chain(world: GraphWorld, paris_code: str = "H2") -> None:
    """Rabat's man shares a phone with Paris's man, who shares an IBAN with Madrid's boat
    owner: the only way from Rabat's record to Madrid's goes through Paris's."""
    world.send(PARIS, [person("r1", "Driss Fennane", phone=["+212600000501"])])
    world.receive(
        PARIS,
        [
            person("p1", "Anouar Belkadi", phone=["+212600000501"]),
            {"id": "acc", "schema": "BankAccount", "properties": {"iban": [IBAN]}},
            {
                "id": "own",
                "schema": "Ownership",
                "properties": {"owner": ["p1"], "asset": ["acc"]},
            },
        ],
        handling_code=paris_code,
    )
    world.receive(
        MADRID,
        [
            person("m1", "Saloua Temsamani"),
            {"id": "acc2", "schema": "BankAccount", "properties": {"iban": [IBAN]}},
            {
                "id": "own2",
                "schema": "Ownership",
                "properties": {"owner": ["m1"], "asset": ["acc2"]},
            },
        ],
    )
    sync(world.session, system_actor(LOCAL), LOCAL)


@pytest.mark.parametrize("role", ROLES_SEEING)
def test_roles_that_work_with_entities_see_the_chain(graph_world: GraphWorld, role: str) -> None:
    _chain(graph_world)
    path = queries.shortest_path(graph_world.session, officer(role), R, M)
    ids = [n["id"] for n in path.nodes]
    assert ids[0] == R and ids[-1] == M and P in ids


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_other_roles_are_refused(graph_world: GraphWorld, role: str) -> None:
    _chain(graph_world)
    with pytest.raises(PermissionDeniedError):
        queries.neighbours(graph_world.session, officer(role), R)
    with pytest.raises(PermissionDeniedError):
        queue(graph_world.session, officer(role))


@pytest.mark.parametrize("code", ["H0", "H1", "H2", "H3"])
def test_nothing_of_a_suspended_partner_leaks_through_a_path_or_a_count(
    graph_world: GraphWorld, code: str
) -> None:
    _chain(graph_world, paris_code=code)
    analyst = graph_world.analyst
    before = queries.component(graph_world.session, analyst, R)
    assert P in {n["id"] for n in before.nodes}
    change_status(
        graph_world.session,
        system_actor(LOCAL),
        graph_world.agreements[PARIS].reference,
        AgreementStatus.SUSPENDED,
        "review",
    )
    assert queries.shortest_path(graph_world.session, analyst, R, M).nodes == []
    after = queries.component(graph_world.session, analyst, R)
    seen = {n["id"] for n in after.nodes}
    assert P not in seen and M not in seen
    assert after.total_nodes == len(seen) < before.total_nodes
    phone = queries.neighbours(graph_world.session, analyst, R, depth=2)
    assert {n["id"] for n in phone.nodes} == {R, "value:phone:+212600000501"}
    with pytest.raises(NotFoundError):
        queries.get_entity(graph_world.session, analyst, P)
    with pytest.raises(NotFoundError):
        judge(graph_world.session, analyst, R, P, Judgement.POSITIVE)
    # Madrid's records stay visible, alone: the IBAN they share with Paris is not shown as shared.
    madrid = queries.component(graph_world.session, analyst, M)
    assert P not in {n["id"] for n in madrid.nodes}
    assert f"{PARIS}.acc" not in {n["id"] for n in madrid.nodes}


@pytest.mark.parametrize("code", ["H0", "H1", "H2", "H3"])
def test_export_for_a_partner_passes_on_only_this_agencys_records(
    graph_world: GraphWorld, code: str
) -> None:
    _chain(graph_world, paris_code=code)
    graph_world.send(MADRID, [person("r2", "Driss Fennane", phone=["+212600000501"])])
    sync(graph_world.session, system_actor(LOCAL), LOCAL)
    text = export_graph(
        graph_world.session, graph_world.analyst, R, ExportFormat.FTM, depth=3, recipient=MADRID
    )
    ids = {json.loads(line)["id"] for line in text.splitlines()}
    assert R in ids and f"{LOCAL}.r2" in ids
    assert not any(i.startswith((PARIS, MADRID)) for i in ids)
    everything = export_graph(
        graph_world.session, graph_world.analyst, R, ExportFormat.FTM, depth=3
    )
    assert P in {json.loads(line)["id"] for line in everything.splitlines()}
