"""Managing a case: its status (open, on hold, closed) through a transition table, the outcome
asked for on closing, the officer it is assigned to, a due date, labels and links.

Who decides what:
- the status and the outcome are the owner's: only the owner agency holds, closes or reopens a
  case (policy's UPDATE, owner only) and each change travels to the partners the case was shared
  with (``jisr.exchange.case_federation``), who show it as received;
- the assignee, the due date, the labels and the links are this agency's own working notes
  about a case, its own or a partner's: any officer who may read the case and work on it
  changes them (oversight reads them, never writes); they never leave the node.

Every change is a ``CaseEvent`` (the case's timeline) and an audit entry. A closed case takes
no change but reopening.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, NotFoundError, ValidationError
from jisr.exchange import case_federation, members
from jisr.exchange.access import case_resource, load_case, load_case_for_edit
from jisr.exchange.case_history import note_event
from jisr.exchange.case_schemas import (
    LINK_ID_KINDS,
    MAX_LABELS,
    CaseOutcome,
    CaseStatus,
    LinkKind,
)
from jisr.exchange.models import Case, CaseLabel, CaseLink


class CaseAction(StrEnum):
    HOLD = "hold"
    CLOSE = "close"
    REOPEN = "reopen"


# (status now, action) -> status after; any other pair is refused with case_transition_invalid.
TRANSITIONS: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (CaseStatus.OPEN, CaseAction.HOLD): CaseStatus.ON_HOLD,
    (CaseStatus.OPEN, CaseAction.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.ON_HOLD, CaseAction.REOPEN): CaseStatus.OPEN,
    (CaseStatus.ON_HOLD, CaseAction.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.CLOSED, CaseAction.REOPEN): CaseStatus.OPEN,
}
_EVENTS = {CaseAction.HOLD: "held", CaseAction.CLOSE: "closed", CaseAction.REOPEN: "reopened"}


class TransitionError(ConflictError):
    code = "case_transition_invalid"


def allowed_actions(status: str) -> list[CaseAction]:
    """What may be done to a case in ``status`` (the console offers these)."""
    return [action for (before, action) in TRANSITIONS if before.value == status]


def change_status(
    session: Session,
    actor: Actor,
    ref: str,
    action: CaseAction,
    *,
    reason: str,
    outcome: CaseOutcome | None = None,
) -> Case:
    """Hold, close (with an outcome and a note, ``reason``) or reopen a case this agency owns."""
    case = load_case(session, actor, ref)
    require(session, actor, Action.UPDATE, case_resource(case))
    before = CaseStatus(case.status)
    after = TRANSITIONS.get((before, action))
    if after is None:
        raise TransitionError(f"a case {before.value} cannot be {_EVENTS[action]}")
    if action is CaseAction.CLOSE and outcome is None:
        raise ValidationError("closing a case needs an outcome", code="case_outcome_required")
    now = utcnow()
    case.status = after.value
    case.status_changed_at = now
    if action is CaseAction.CLOSE:
        case.outcome = outcome.value if outcome else None
        case.outcome_note = reason
        case.closed_at = now
    elif action is CaseAction.REOPEN:
        case.outcome = case.outcome_note = case.closed_at = None
    details = {"from": before.value, "to": after.value, "reason": reason}
    if outcome is not None:
        details["outcome"] = outcome.value
    note_event(
        session,
        case,
        _EVENTS[action],
        actor=actor.display,
        agency=actor.agency_code,
        details=details,
        at=now,
    )
    partners = case_federation.announce_status(session, actor, case)
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "case",
        case.ref,
        justification=reason,
        recipients=partners,
        details={
            "event": _EVENTS[action],
            "from": before.value,
            "to": after.value,
            "outcome": case.outcome,
        },
    )
    return case


def assign(session: Session, actor: Actor, ref: str, assignee: str | None) -> Case:
    """Give the case to an officer of this agency (who becomes a member), or take it back."""
    case = load_case_for_edit(session, actor, ref)
    if assignee == case.assignee:
        return case
    if assignee is not None:
        members.check_officer(session, actor, assignee)
        members.add_default(session, case, assignee, actor.display)
    before, case.assignee = case.assignee, assignee
    _changed(
        session,
        actor,
        case,
        "assigned" if assignee else "unassigned",
        {"assignee": assignee, "previous": before},
        recipients=[assignee] if assignee else None,
    )
    return case


def set_due(session: Session, actor: Actor, ref: str, due_at: datetime | None) -> Case:
    case = load_case_for_edit(session, actor, ref)
    if due_at is not None and due_at <= utcnow():
        raise ValidationError(
            "a due date is in the future", code="case_due_invalid", field="due_at"
        )
    case.due_at = due_at
    _changed(
        session,
        actor,
        case,
        "due_set" if due_at else "due_cleared",
        {"due_at": due_at.isoformat() if due_at else None},
    )
    return case


def change_labels(
    session: Session, actor: Actor, ref: str, add: list[str], remove: list[str]
) -> Case:
    case = load_case_for_edit(session, actor, ref)
    current = set(case.labels)
    added = sorted(set(add) - current)
    removed = sorted(set(remove) & current - set(add))
    if len(current) + len(added) - len(removed) > MAX_LABELS:
        raise ValidationError(f"a case has at most {MAX_LABELS} labels", code="case_labels_invalid")
    if not added and not removed:
        return case
    for label in added:
        case.label_rows.append(CaseLabel(case_ref=case.ref, label=label))
    case.label_rows = [row for row in case.label_rows if row.label not in removed]
    session.flush()
    _changed(session, actor, case, "labelled", {"added": added, "removed": removed})
    return case


def add_link(session: Session, actor: Actor, ref: str, kind: LinkKind, target: str) -> CaseLink:
    """Link the case to an alert, a hit, an operation or another case, by id. Another case
    must be one the actor reads; the other records are checked against policy when shown."""
    case = load_case_for_edit(session, actor, ref)
    if target.count(":") != 2 or target.split(":")[1] not in LINK_ID_KINDS[kind]:
        raise ValidationError(
            f"{target} is not the id of a {kind.value}", code="case_link_invalid", field="target"
        )
    if kind is LinkKind.CASE:
        if target == case.ref:
            raise ValidationError("a case is not linked to itself", code="case_link_invalid")
        load_case(session, actor, target)
    existing = session.get(CaseLink, (case.ref, kind.value, target))
    if existing is not None:
        return existing
    link = CaseLink(case_ref=case.ref, kind=kind.value, target_id=target, added_by=actor.display)
    session.add(link)
    session.flush()
    _changed(session, actor, case, "linked", {"kind": kind.value, "target": target})
    return link


def remove_link(session: Session, actor: Actor, ref: str, kind: LinkKind, target: str) -> Case:
    case = load_case_for_edit(session, actor, ref)
    link = session.get(CaseLink, (case.ref, kind.value, target))
    if link is None:
        raise NotFoundError(f"case {ref} has no link to {target}", code="case_link_unknown")
    session.delete(link)
    session.flush()
    _changed(session, actor, case, "unlinked", {"kind": kind.value, "target": target})
    return case


def links_of(session: Session, actor: Actor, ref: str) -> list[CaseLink]:
    case = load_case(session, actor, ref)
    stmt = select(CaseLink).where(CaseLink.case_ref == case.ref)
    return list(session.execute(stmt.order_by(CaseLink.added_at, CaseLink.target_id)).scalars())


def _changed(
    session: Session,
    actor: Actor,
    case: Case,
    event: str,
    details: dict[str, object],
    *,
    recipients: list[str] | None = None,
) -> None:
    note_event(session, case, event, actor=actor.display, agency=actor.agency_code, details=details)
    record(
        session,
        actor,
        AuditAction.DISCLOSURE if recipients else AuditAction.ALTERATION,
        "case",
        case.ref,
        recipients=recipients or (),
        details={"event": event, **details},
    )
