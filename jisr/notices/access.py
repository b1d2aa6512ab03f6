"""How alerts look to policy, and loading them through it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require, visible_to
from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError
from jisr.notices.models import Notice
from jisr.restrictions.service import notice_blocked
from jisr.watchlists.service import BLOCK_READER_ROLES


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


def readable(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The alerts ``actor`` may read, as a ``WHERE`` clause (the answers `can_read` gives,
    from one agreements query): listings filter by it and then page."""
    seen = visible_to(session, actor, ResourceKind.NOTICE)
    if seen.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if seen.own_agency is not None:
        clauses.append(Notice.owner_agency == seen.own_agency)
    for cover in seen.covered:
        clauses.append(
            and_(
                Notice.owner_agency == cover.owner_agency,
                or_(Notice.crime_area.is_(None), Notice.crime_area.in_(sorted(cover.crime_areas))),
                or_(
                    Notice.data_category.is_(None),
                    Notice.data_category.in_(sorted(cover.data_categories)),
                ),
            )
        )
    return or_(*clauses) if clauses else false()


def may(session: Session, actor: Actor, action: Action, notice: Notice) -> bool:
    """Whether policy lets ``actor`` do ``action`` to the alert (interfaces show or hide the
    controls with it; the service functions still decide)."""
    return check(session, actor, action, notice_resource(notice)).allowed


def load_notice(session: Session, actor: Actor, notice_id: str, action: Action) -> Notice:
    """The alert, if it exists and policy lets ``actor`` read it and do ``action`` to it."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFoundError(f"no notice {notice_id}", code="notice_not_found")
    require(session, actor, Action.READ, notice_resource(notice))
    if action is not Action.READ:
        require(session, actor, action, notice_resource(notice))
    return notice


def require_not_blocked(session: Session, notice: Notice) -> None:
    """Refuse to publish or send on an alert whose subject a data-subject request blocked."""
    if notice_blocked(session, notice.id):
        raise ConflictError(
            "the alert's subject is blocked while a data-subject request is reviewed",
            code="subject_blocked",
        )


def require_readable(session: Session, actor: Actor, notice: Notice) -> None:
    """A blocked alert is shown only to the data-protection officer, auditors, administrators
    and the node itself."""
    if actor.kind is ActorKind.SYSTEM or actor.roles & BLOCK_READER_ROLES:
        return
    if notice_blocked(session, notice.id):
        raise PermissionDeniedError(
            "this record is blocked while a data-subject request is reviewed",
            code="record_blocked",
        )
