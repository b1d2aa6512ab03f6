"""How alerts look to policy, and loading them through it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.errors import NotFoundError
from jisr.notices.models import Notice


def notice_resource(notice: Notice, recipient: str | None = None) -> Resource:
    return Resource(
        ResourceKind.NOTICE,
        owner_agency=notice.owner_agency,
        crime_area=notice.crime_area,
        data_category=notice.data_category,
        handling_code=notice.handling_code,
        recipient_agency=recipient,
        id=notice.id,
    )


def can_read(session: Session, actor: Actor, notice: Notice) -> bool:
    return check(session, actor, Action.READ, notice_resource(notice)).allowed


def load_notice(session: Session, actor: Actor, notice_id: str, action: Action) -> Notice:
    """The alert, if it exists and policy lets ``actor`` read it and do ``action`` to it."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFoundError(f"no notice {notice_id}", code="notice_not_found")
    require(session, actor, Action.READ, notice_resource(notice))
    if action is not Action.READ:
        require(session, actor, action, notice_resource(notice))
    return notice
