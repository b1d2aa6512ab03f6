"""Case members: who inside this agency needs to know a case (policy rule 5).

A member is an officer (``user:<id>``) or a unit of the agency named by its role
(``role:liaison``). The defaults:

- a case this agency opens has its creator as member (the node itself opening one — the CLI
  without ``--as`` — gives it to the liaison desk);
- a partner's case arriving here is addressed to the agency, that is to its international
  cooperation desk and its analysis unit: its members are ``role:liaison`` and
  ``role:analyst`` (border officers, CERT analysts and coordinators are added by name);
- an officer who writes in a case (a new message in it, a reply) becomes a member;
- a member adds others (an officer or a unit) with ``add_member``; each addition is audited as
  a disclosure to the new member; ``remove_member`` takes one off (never the last one, nor the
  assignee);
- the officer a case is assigned to becomes a member (``jisr.exchange.casework``).

Under H0/H1 roles suffice and membership changes nothing; under H2/H3 only members (and
oversight) read the case, its messages, their attachments and entities.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, Role
from jisr.audit import AuditAction, record
from jisr.errors import ConflictError, NotFoundError, ValidationError
from jisr.exchange.access import load_case_for_edit
from jisr.exchange.case_history import note_event
from jisr.exchange.models import Case, CaseMember
from jisr.identity.models import User

DESK = f"role:{Role.LIAISON.value}"
# The units a partner's traffic is addressed to (the desk and the analysis unit).
ADDRESSED_UNITS = (DESK, f"role:{Role.ANALYST.value}")


def member_key(actor: Actor) -> str:
    """The member an actor is as a person; the node itself hands its cases to the desk."""
    return f"user:{actor.id}" if actor.kind is ActorKind.USER else DESK


def add_default(session: Session, case: Case, member: str, added_by: str) -> None:
    """Make ``member`` a member of ``case`` if it is not one yet (no audit: part of the act that
    brings it in, which is audited)."""
    if member not in case.member_keys:
        case.members.append(CaseMember(case_ref=case.ref, member=member, added_by=added_by))
        session.flush()


def join(session: Session, case: Case, actor: Actor) -> None:
    """An officer writing in a case becomes one of its members."""
    if actor.kind is ActorKind.USER:
        add_default(session, case, member_key(actor), actor.display)


def add_member(session: Session, actor: Actor, ref: str, member: str) -> Case:
    """A member (anyone who may read the case and work on it: not oversight) names another
    officer or unit of the agency."""
    case = load_case_for_edit(session, actor, ref)
    _check_member(session, actor, member)
    if member in case.member_keys:
        return case
    case.members.append(CaseMember(case_ref=case.ref, member=member, added_by=actor.display))
    session.flush()
    note_event(
        session,
        case,
        "member_added",
        actor=actor.display,
        agency=actor.agency_code,
        details={"member": member},
    )
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "case",
        case.ref,
        recipients=[member],
        details={"event": "member_added", "member": member},
    )
    return case


class LastMemberError(ConflictError):
    code = "case_member_last"


def remove_member(session: Session, actor: Actor, ref: str, member: str) -> Case:
    """Take an officer or unit off the case (no longer needs to know). The last member stays
    (an H2/H3 case with none would be closed to everyone but oversight), and so does the
    assignee while assigned."""
    case = load_case_for_edit(session, actor, ref)
    row = next((m for m in case.members if m.member == member), None)
    if row is None:
        raise NotFoundError(f"{member} is not a member of case {ref}", code="case_member_unknown")
    if len(case.members) == 1:
        raise LastMemberError(f"{member} is the case's last member: add another one first")
    if case.assignee == member:
        raise ConflictError(
            f"{member} is assigned the case: assign it to someone else first",
            code="case_member_assigned",
        )
    case.members.remove(row)
    session.flush()
    note_event(
        session,
        case,
        "member_removed",
        actor=actor.display,
        agency=actor.agency_code,
        details={"member": member},
    )
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "case",
        case.ref,
        details={"event": "member_removed", "member": member},
    )
    return case


def check_officer(session: Session, actor: Actor, member: str) -> None:
    """``member`` is ``user:<id>`` of an active officer of the actor's agency."""
    if member.startswith("user:"):
        _check_member(session, actor, member)
        return
    raise ValidationError(
        f"an assignee is user:<id> of an active officer of this agency; not {member}",
        code="case_assignee_invalid",
    )


def colleagues(session: Session, actor: Actor) -> list[User]:
    """The active officers of the actor's agency who work on cases (to assign or add)."""
    casework = {
        r.value
        for r in (
            Role.LIAISON,
            Role.ANALYST,
            Role.BORDER_OFFICER,
            Role.CERT_ANALYST,
            Role.COORDINATOR,
        )
    }
    stmt = select(User).where(User.agency_code == actor.agency_code, User.disabled.is_(False))
    users = session.execute(stmt.order_by(User.display_name, User.username)).scalars()
    return [u for u in users if casework & set(u.roles)]


def _check_member(session: Session, actor: Actor, member: str) -> None:
    kind, _, value = member.partition(":")
    if kind == "role" and value in {r.value for r in Role}:
        return
    if kind == "user":
        user = session.execute(select(User).where(User.id == value)).scalar_one_or_none()
        if user is not None and user.agency_code == actor.agency_code and not user.disabled:
            return
    raise ValidationError(
        f"a member is user:<id> of an active officer of this agency or role:<role>; not {member}",
        code="case_member_invalid",
    )
