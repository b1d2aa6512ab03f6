"""Who may administer identities: policy decides (``Action.ADMINISTER``), audit records the use."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record


def require_admin(session: Session, actor: Actor, kind: ResourceKind = ResourceKind.USER) -> None:
    """Raise PermissionDeniedError unless policy lets ``actor`` administer ``kind`` records."""
    require(session, actor, Action.ADMINISTER, Resource(kind, actor.agency_code))


def record_privilege_use(
    session: Session, actor: Actor, object_type: str, object_id: str, **details: Any
) -> None:
    record(session, actor, AuditAction.PRIVILEGE_USE, object_type, object_id, details=details)
