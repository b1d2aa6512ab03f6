"""How exchange records look to policy, and reading them through it: one record at a time
(``load_message``, ``load_case``) or as ``WHERE`` clauses a listing filters by before it pages
(``readable_messages``, ``readable_cases``: the answers `can_read` gives, from one agreements
query, membership of H2/H3 cases included)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from jisr.actors import Actor
from jisr.agreements.policy import (
    NEED_TO_KNOW_CODES,
    Action,
    Resource,
    ResourceKind,
    Visibility,
)
from jisr.agreements.service import check, require, visible_to
from jisr.errors import ConflictError, NotFoundError
from jisr.exchange.models import Case, CaseMember, Message


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


def _coverage(
    seen: Visibility,
    owner: InstrumentedAttribute[str],
    crime_area: InstrumentedAttribute[str],
    data_category: InstrumentedAttribute[str] | None,
) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if seen.own_agency is not None:
        clauses.append(owner == seen.own_agency)
    for cover in seen.covered:
        terms = [owner == cover.owner_agency, crime_area.in_(sorted(cover.crime_areas))]
        if data_category is not None:
            terms.append(data_category.in_(sorted(cover.data_categories)))
        clauses.append(and_(*terms))
    return or_(*clauses) if clauses else false()


def _member_of(
    seen: Visibility, case_ref: InstrumentedAttribute[str], handling: InstrumentedAttribute[str]
) -> ColumnElement[bool]:
    """Rule 5 as SQL: not under a need-to-know code, or one of the actor's keys is a member."""
    if seen.member_keys is None:
        return true()
    member = exists(
        select(CaseMember.case_ref).where(
            CaseMember.case_ref == case_ref, CaseMember.member.in_(sorted(seen.member_keys))
        )
    )
    return or_(handling.not_in(sorted(NEED_TO_KNOW_CODES)), member)


def readable_messages(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The messages ``actor`` may read, as a ``WHERE`` clause on ``Message``."""
    seen = visible_to(session, actor, ResourceKind.MESSAGE)
    if seen.everything:
        return true()
    covered = _coverage(seen, Message.owner_agency, Message.crime_area, Message.data_category)
    return and_(covered, _member_of(seen, Message.case_ref, Message.handling_code))


def readable_cases(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The cases ``actor`` may read, as a ``WHERE`` clause on ``Case``."""
    seen = visible_to(session, actor, ResourceKind.CASE)
    if seen.everything:
        return true()
    covered = _coverage(seen, Case.owner_agency, Case.crime_area, None)
    return and_(covered, _member_of(seen, Case.ref, Case.handling_code))


class CaseClosedError(ConflictError):
    code = "case_closed"


def case_annotation(case: Case, agency: str) -> Resource:
    """What this agency keeps about a case (assignee, due date, labels, links, members) as
    policy sees it: a record of ``agency`` under the case's handling code and membership, so
    its officers annotate a partner's case too, and oversight reads but never writes."""
    return Resource(
        ResourceKind.CASE,
        owner_agency=agency,
        crime_area=case.crime_area,
        handling_code=case.handling_code,
        id=case.ref,
        members=case.member_keys,
    )


def load_case_for_edit(session: Session, actor: Actor, ref: str) -> Case:
    """The case, if ``actor`` may read it and change what this agency keeps about it; a closed
    case is reopened first."""
    case = load_case(session, actor, ref)
    require(session, actor, Action.UPDATE, case_annotation(case, actor.agency_code))
    if case.status == "closed":
        raise CaseClosedError(f"case {ref} is closed; reopen it first")
    return case


def may_manage(session: Session, actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may change this agency's notes on the case (assignee, due date,
    labels, links, members): interfaces show the controls with it; the services decide."""
    resource = case_annotation(case, actor.agency_code)
    return case.status != "closed" and check(session, actor, Action.UPDATE, resource).allowed


def may_change_status(session: Session, actor: Actor, case: Case) -> bool:
    """Whether ``actor`` may hold, close or reopen the case (its owner's officers)."""
    return check(session, actor, Action.UPDATE, case_resource(case)).allowed
