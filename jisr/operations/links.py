"""Checking a link target: the case, alert or hit must exist here and the actor must be allowed
to read it (each through its own domain's public access function, which asks policy)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.exchange.access import load_case
from jisr.notices.access import load_notice
from jisr.operations.models import LinkKind
from jisr.watchlists.checks import load_hit


def check_link_target(session: Session, actor: Actor, kind: LinkKind, target_id: str) -> None:
    """Raises NotFoundError or PermissionDeniedError when the target cannot be linked."""
    if kind is LinkKind.CASE:
        load_case(session, actor, target_id)
    elif kind is LinkKind.ALERT:
        load_notice(session, actor, target_id, Action.READ)
    else:
        load_hit(session, actor, target_id)
