"""How exchange records look to policy, and reading them through it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.errors import NotFoundError
from jisr.exchange.models import Case, Message


def message_resource(session: Session, message: Message, recipient: str | None = None) -> Resource:
    """The message as policy sees it, with its case's members (none yet for a new case)."""
    case = session.get(Case, message.case_ref) if message.case_ref else None
    return Resource(
        ResourceKind.MESSAGE,
        owner_agency=message.owner_agency,
        crime_area=message.crime_area,
        data_category=message.data_category,
        handling_code=message.handling_code,
        recipient_agency=recipient,
        id=message.id,
        members=case.member_keys if case is not None else None,
    )


def case_resource(case: Case) -> Resource:
    return Resource(
        ResourceKind.CASE,
        owner_agency=case.owner_agency,
        crime_area=case.crime_area,
        handling_code=case.handling_code,
        id=case.ref,
        members=case.member_keys,
    )


def can_read(session: Session, actor: Actor, message: Message) -> bool:
    return check(session, actor, Action.READ, message_resource(session, message)).allowed


def may(session: Session, actor: Actor, action: Action, message: Message) -> bool:
    """Whether policy lets ``actor`` do ``action`` to the message (interfaces show or hide the
    controls with it; the service functions still decide)."""
    return check(session, actor, action, message_resource(session, message)).allowed


def load_message(session: Session, actor: Actor, message_id: str) -> Message:
    """The message, if it exists and policy lets ``actor`` read it (no audit: callers audit)."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"no message {message_id}", code="message_not_found")
    require(session, actor, Action.READ, message_resource(session, message))
    return message


def load_case(session: Session, actor: Actor, ref: str) -> Case:
    case = session.get(Case, ref)
    if case is None:
        raise NotFoundError(f"no case {ref}", code="case_not_found")
    require(session, actor, Action.READ, case_resource(case))
    return case
