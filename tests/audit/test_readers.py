"""Who reads the audit trail: the audit service and policy answer by the one rule."""

from __future__ import annotations

import pytest

from jisr.actors import Actor, ActorKind, Role, system_actor
from jisr.agreements.policy import Action, Resource, ResourceKind, authorize
from jisr.audit.service import require_audit_reader
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError

TRAIL = Resource(ResourceKind.AUDIT, owner_agency="MA-DGST")


@pytest.mark.parametrize("role", list(Role))
def test_the_service_and_policy_agree_on_every_role(role: Role) -> None:
    actor = Actor(ActorKind.USER, "MA-DGST:user:u1", "MA-DGST", frozenset({role}))
    allowed = authorize(actor, Action.AUDIT_READ, TRAIL, now=utcnow()).allowed
    assert allowed == (role in {Role.AUDITOR, Role.DPO, Role.ADMIN})
    if allowed:
        require_audit_reader(actor)
    else:
        with pytest.raises(PermissionDeniedError):
            require_audit_reader(actor)


def test_the_node_itself_reads_the_trail() -> None:
    node = system_actor("MA-DGST")
    assert authorize(node, Action.AUDIT_READ, TRAIL, now=utcnow()).allowed
    require_audit_reader(node)
