"""Who is acting: a signed-in user, a partner node, or the node itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a user of a node may be; policy (``jisr.agreements.policy``) decides by them."""

    ADMIN = "admin"
    LIAISON = "liaison"
    ANALYST = "analyst"
    BORDER_OFFICER = "border_officer"
    CERT_ANALYST = "cert_analyst"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    AUDITOR = "auditor"
    DPO = "dpo"  # data-protection officer: read-only on content, data-subject requests


# Who reads the audit trail: the oversight roles (auditor, data-protection officer) and
# administrators. Policy's ``audit_read`` decides by this set; ``jisr.audit``, which may import no
# domain (so not the policy), asks `reads_audit_trail`, so the two cannot drift.
AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.DPO, Role.ADMIN})


class ActorKind(StrEnum):
    USER = "user"
    PARTNER = "partner"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    # User id, partner agency code, or "system".
    id: str
    agency_code: str
    roles: frozenset[str] = field(default_factory=frozenset)
    # Human-readable label for the audit trail (username, partner code).
    label: str = ""
    # For API tokens: the scopes granted; None means a full interactive session.
    scopes: frozenset[str] | None = None
    # For API tokens: the token's id, so what it mints is bounded by it and revoked with it.
    token_id: str | None = None

    @property
    def display(self) -> str:
        return self.label or self.id

    def has_role(self, role: str) -> bool:
        return role in self.roles


def system_actor(agency_code: str) -> Actor:
    return Actor(ActorKind.SYSTEM, "system", agency_code, label="system")


def reads_audit_trail(actor: Actor) -> bool:
    """The node itself (its operator, ``jisr audit export``) and the audit reader roles;
    token scopes are policy's to check (``authorize(actor, Action.AUDIT_READ, ...)``)."""
    return actor.kind is ActorKind.SYSTEM or bool(actor.roles & AUDIT_READER_ROLES)
