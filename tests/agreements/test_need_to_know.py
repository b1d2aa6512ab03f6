"""Need to know inside the agency (issue 10 §2.6), table-driven over every role × handling code.

Each cell of ``READ`` says who reads a case record of this agency under that handling code:
``Y`` everyone of the role, ``M`` only when a member (by name or by unit), ``-`` never. The
table is written out by hand from the rule (policy rule 5), not computed from the code.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jisr.actors import Actor, ActorKind, system_actor
from jisr.agreements.policy import Action, Resource, ResourceKind, authorize
from jisr.identity.models import Role

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
MA = "MA-DGST"
CODES = ("H0", "H1", "H2", "H3")

#            H0   H1   H2   H3        (message and case records; attachments below)
READ: dict[str, str] = {
    "liaison": "YYMM",
    "analyst": "YYMM",
    "border_officer": "YYMM",
    "cert_analyst": "YYMM",
    "coordinator": "YYMM",
    "trainer": "----",
    "admin": "----",
    "auditor": "YYYY",
    "dpo": "YYYY",
}
# Attachments and entities are casework of liaison officers and analysts only (rule 2).
READ_ATTACHMENT: dict[str, str] = {
    "liaison": "YYMM",
    "analyst": "YYMM",
    "border_officer": "----",
    "cert_analyst": "----",
    "coordinator": "----",
    "trainer": "----",
    "admin": "----",
    "auditor": "YYYY",
    "dpo": "YYYY",
}
KINDS = {
    ResourceKind.MESSAGE: READ,
    ResourceKind.CASE: READ,
    ResourceKind.ATTACHMENT: READ_ATTACHMENT,
    ResourceKind.ENTITY: READ_ATTACHMENT,
}


def officer(role: str) -> Actor:
    return Actor(ActorKind.USER, f"{MA}:user:{role}", MA, frozenset({role}), label=role)


def record(kind: ResourceKind, code: str, members: frozenset[str]) -> Resource:
    return Resource(
        kind, MA, "migrant_smuggling", "personal", code, id=f"{MA}:case:1", members=members
    )


def test_the_tables_cover_every_role() -> None:
    assert set(READ) == set(READ_ATTACHMENT) == {r.value for r in Role}


MEMBERSHIPS = {
    "not a member": lambda role: frozenset({"user:MA-DGST:user:someone-else"}),
    "member by name": lambda role: frozenset({f"user:{MA}:user:{role}"}),
    "member by unit": lambda role: frozenset({f"role:{role}"}),
}


@pytest.mark.parametrize("kind", list(KINDS), ids=[k.value for k in KINDS])
@pytest.mark.parametrize("membership", list(MEMBERSHIPS))
@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("role", list(READ))
def test_read_cell(role: str, code: str, membership: str, kind: ResourceKind) -> None:
    cell = KINDS[kind][role][CODES.index(code)]
    expected = cell == "Y" or (cell == "M" and membership != "not a member")
    resource = record(kind, code, MEMBERSHIPS[membership](role))
    decision = authorize(officer(role), Action.READ, resource, now=NOW)
    assert decision.allowed is expected, decision.reason
    if cell == "M" and not expected:
        assert "need to know" in decision.reason


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("role", ["liaison", "analyst", "border_officer", "coordinator"])
def test_writing_in_a_case_follows_the_same_rule(role: str, code: str) -> None:
    outsider = record(ResourceKind.MESSAGE, code, frozenset({"role:nobody"}))
    member = record(ResourceKind.MESSAGE, code, frozenset({f"role:{role}"}))
    for action in (Action.CREATE, Action.WITHDRAW):
        assert authorize(officer(role), action, member, now=NOW).allowed
        allowed = authorize(officer(role), action, outsider, now=NOW).allowed
        assert allowed is (code in {"H0", "H1"})


def test_records_outside_a_case_and_the_node_itself_are_not_bound() -> None:
    loose = Resource(ResourceKind.MESSAGE, MA, "migrant_smuggling", "personal", "H2")
    assert authorize(officer("coordinator"), Action.READ, loose, now=NOW).allowed
    closed = record(ResourceKind.MESSAGE, "H3", frozenset())
    assert authorize(system_actor(MA), Action.READ, closed, now=NOW).allowed
    assert not authorize(officer("liaison"), Action.READ, closed, now=NOW).allowed
