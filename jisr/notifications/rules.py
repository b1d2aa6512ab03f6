"""The mapping table: which audit entries notify whom, and why.

Every act on this node is in the audit trail (actor, action, object type and id, a few
identifiers in ``details``), so notifications are derived from it and no domain calls this one.
A rule is keyed by ``(action, object_type)``; it reads the record as it stands, chooses the
candidates (by role, case membership or authorship) and keeps those policy lets read it.

``RULES`` at the end is the table (``docs/notifications.md`` shows it with who is told): a
message, request or reply from a partner; a partner's alert received or withdrawn; one of our
alerts waiting for review, or reviewed; screening hits; a manifest screened with hits; a member
added to a case; an envelope that died; a data-subject request; an incident at a joint event.

Request deadlines and partner reachability are states, not acts: ``conditions`` scans them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from jisr.actors import Actor, Role
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check
from jisr.audit import AuditAction, AuditEntry
from jisr.exchange import access as exchange_access
from jisr.exchange.models import Case, Direction, Message, MessageKind
from jisr.identity.models import User
from jisr.notices import access as notice_access
from jisr.notices.models import Notice
from jisr.notifications import recipients
from jisr.notifications.models import Kind
from jisr.operations.models import LogEntry, Operation
from jisr.operations.sharing import entry_resource
from jisr.restrictions.service import notice_blocked
from jisr.watchlists.models import ScreeningHit
from jisr.watchlists.service import BLOCK_READER_ROLES

DESK = (Role.LIAISON, Role.ANALYST)


@dataclass(frozen=True)
class Draft:
    """A notification before it is addressed to each of ``users``."""

    kind: Kind
    object_type: str
    object_id: str | None
    href: str
    users: list[User]
    agency: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[Session, AuditEntry, str], list[Draft]]


def _reads(session: Session, resource: Resource) -> recipients.ReadCheck:
    return lambda actor: check(session, actor, Action.READ, resource).allowed


def message_received(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    if entry.details.get("event") or entry.object_id is None:
        return []  # reminders and the like: the deadline scan tells of them
    message = session.get(Message, entry.object_id)
    if message is None or message.direction != Direction.INBOUND.value:
        return []
    answered = session.get(Message, message.in_reply_to) if message.in_reply_to else None
    case = session.get(Case, message.case_ref)
    keys = case.member_keys if case is not None else frozenset()
    users = recipients.members(session, local, keys) if keys else []
    users = users or recipients.officers(session, local, DESK)
    kind = Kind.REQUEST if message.kind == MessageKind.REQUEST.value else Kind.MESSAGE
    if answered is not None and answered.direction == Direction.OUTBOUND.value:
        kind = Kind.REPLY
        users = recipients.by_username(session, local, answered.created_by) + users
    resource = exchange_access.message_resource(session, message)
    params = {"priority": message.priority, "case": message.case_ref}
    if message.deadline_at is not None:
        params["deadline"] = message.deadline_at.isoformat()
    return [
        Draft(
            kind,
            "message",
            message.id,
            f"/exchange/messages/{message.id}",
            recipients.allowed(users, _reads(session, resource)),
            agency=message.owner_agency,
            params=params,
        )
    ]


def _notice_readable(session: Session, notice: Notice) -> recipients.ReadCheck:
    blocked = notice_blocked(session, notice.id)
    reads = _reads(session, notice_access.notice_resource(notice))

    def may(actor: Actor) -> bool:
        return (not blocked or bool(actor.roles & BLOCK_READER_ROLES)) and reads(actor)

    return may


def _notice_draft(kind: Kind, notice: Notice, users: list[User]) -> Draft:
    return Draft(
        kind,
        "notice",
        notice.id,
        f"/alerts/{notice.id}",
        users,
        agency=notice.owner_agency,
        params={"reference": notice.reference, "alert_type": notice.alert_type},
    )


def notice_received(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    notice = session.get(Notice, entry.object_id) if entry.object_id else None
    if notice is None or notice.owner_agency == local:
        return []
    users = recipients.officers(session, local, (Role.LIAISON,))
    readers = recipients.allowed(users, _notice_readable(session, notice))
    return [_notice_draft(Kind.ALERT_RECEIVED, notice, readers)]


def notice_erased(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    event = str(entry.details.get("event", ""))
    if not event.endswith("_by_owner") or entry.object_id is None:
        return []
    # The copy is gone: say only which alert of which partner, to those who worked with alerts.
    users = recipients.officers(session, local, (Role.LIAISON,))
    draft = Draft(
        Kind.ALERT_WITHDRAWN,
        "notice",
        entry.object_id,
        "/alerts",
        recipients.allowed(users, lambda _actor: True),
        agency=entry.actor_agency,
        params={"reason": event.removesuffix("_by_owner")},
    )
    return [draft]


def notice_changed(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    event = entry.details.get("event")
    notice = session.get(Notice, entry.object_id) if entry.object_id else None
    if notice is None or notice.owner_agency != local:
        return []
    if event == "submitted" and entry.details.get("status") == "in_review":
        resource = notice_access.notice_resource(notice)

        def reviews(actor: Actor) -> bool:
            return check(session, actor, Action.REVIEW, resource).allowed

        users = recipients.officers(session, local, (Role.LIAISON,))
        reviewers = recipients.allowed(users, reviews, besides=entry.actor)
        draft = _notice_draft(Kind.REVIEW_REQUESTED, notice, reviewers)
        return [Draft(**{**draft.__dict__, "href": f"/alerts/{notice.id}", "agency": None})]
    if event == "reviewed":
        author = session.get(User, notice.created_by_id)
        users = [author] if author is not None and not author.disabled else []
        readers = recipients.allowed(users, _notice_readable(session, notice), besides=entry.actor)
        draft = _notice_draft(Kind.ALERT_REVIEWED, notice, readers)
        draft.params["decision"] = str(entry.details.get("decision", ""))
        return [Draft(**{**draft.__dict__, "agency": None})]
    return []


def _screens(session: Session, local: str) -> recipients.ReadCheck:
    resource = Resource(ResourceKind.SCREENING, owner_agency=local)
    return lambda actor: check(session, actor, Action.SCREEN, resource).allowed


def screened(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    """A check that made hits tells the other border officers; a check whose hits are all
    repeats of open hits (the same traveller against the same entry, folded onto the hit that
    was made first) tells nobody again: the hit's check is still the first one."""
    hits = entry.details.get("hits")
    if entry.details.get("event") != "check" or not isinstance(hits, list) or not hits:
        return []
    made = [str(h) for h in hits if _made_by(session, str(h), entry.object_id)]
    if not made:
        return []
    users = recipients.officers(session, local, (Role.BORDER_OFFICER,))
    readers = recipients.allowed(users, _screens(session, local), besides=entry.actor)
    href = f"/screening/hits/{made[0]}" if len(made) == 1 else "/screening/hits"
    return [
        Draft(Kind.HIT, "screening", entry.object_id, href, readers, params={"count": len(made)})
    ]


def _made_by(session: Session, hit_id: str, check_id: str | None) -> bool:
    hit = session.get(ScreeningHit, hit_id)
    return hit is not None and hit.check_id == check_id


def manifest_screened(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    hits = entry.details.get("hits")
    if entry.details.get("event") != "screened" or not isinstance(hits, int) or hits <= 0:
        return []
    users = recipients.by_username(session, local, entry.actor)
    readers = recipients.allowed(users, _screens(session, local))
    href = f"/screening/manifests/{entry.object_id}"
    return [
        Draft(Kind.MANIFEST_SCREENED, "manifest", entry.object_id, href, readers,
              params={"count": hits, "screened": entry.details.get("screened", 0)})
    ]  # fmt: skip


def member_added(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    member = entry.details.get("member")
    case = session.get(Case, entry.object_id) if entry.object_id else None
    if entry.details.get("event") != "member_added" or not isinstance(member, str) or not case:
        return []
    users = recipients.members(session, local, frozenset({member}))
    readers = recipients.allowed(
        users, _reads(session, exchange_access.case_resource(case)), besides=entry.actor
    )
    href = f"/exchange/cases/{case.ref}"
    return [Draft(Kind.CASE_MEMBER, "case", case.ref, href, readers, params={"case": case.ref})]


def envelope_dead(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    if entry.details.get("event") != "dead":
        return []
    partner = entry.recipients[0] if entry.recipients else None
    users = recipients.officers(session, local, (Role.ADMIN, Role.LIAISON))
    readers = recipients.allowed(users, lambda _actor: True)
    params = {"type": str(entry.details.get("type", "")), "attempts": entry.details.get("attempts")}
    return [
        Draft(Kind.ENVELOPE_DEAD, "envelope", entry.object_id, "/partners", readers,
              agency=partner, params=params)
    ]  # fmt: skip


def subject_request(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    if entry.details.get("event") != "received":
        return []
    resource = Resource(ResourceKind.SUBJECT_REQUEST, owner_agency=local, id=entry.object_id)
    users = recipients.officers(session, local, (Role.DPO,))
    readers = recipients.allowed(users, _reads(session, resource), besides=entry.actor)
    params = {"kind": str(entry.details.get("kind", "")), "due": entry.details.get("due")}
    return [Draft(Kind.SUBJECT_REQUEST, "rights_request", entry.object_id, "/", readers,
                  params=params)]  # fmt: skip


def incident_received(session: Session, entry: AuditEntry, local: str) -> list[Draft]:
    op_id = entry.details.get("operation")
    operation = session.get(Operation, op_id) if isinstance(op_id, str) else None
    logged = session.get(LogEntry, entry.object_id) if entry.object_id else None
    if operation is None or logged is None or logged.kind != "incident":
        return []
    users = recipients.officers(session, local, (Role.COORDINATOR, Role.LIAISON))
    resource = entry_resource(operation, logged)
    readers = recipients.allowed(users, _reads(session, resource), besides=entry.actor)
    params = {"severity": entry.details.get("severity")}
    return [Draft(Kind.INCIDENT, "operation", operation.id, f"/operations/{operation.id}",
                  readers, agency=logged.owner_agency, params=params)]  # fmt: skip


RULES: dict[tuple[str, str], Rule] = {
    (AuditAction.COLLECTION.value, "message"): message_received,
    (AuditAction.COLLECTION.value, "notice"): notice_received,
    (AuditAction.ERASURE.value, "notice"): notice_erased,
    (AuditAction.ALTERATION.value, "notice"): notice_changed,
    (AuditAction.CONSULTATION.value, "screening"): screened,
    (AuditAction.CONSULTATION.value, "manifest"): manifest_screened,
    (AuditAction.DISCLOSURE.value, "case"): member_added,
    (AuditAction.TRANSFER.value, "envelope"): envelope_dead,
    (AuditAction.COLLECTION.value, "rights_request"): subject_request,
    (AuditAction.COLLECTION.value, "operation_entry"): incident_received,
}
