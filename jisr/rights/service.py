"""Data-subject requests: register with a statutory clock, block records, decide; all audited.

A precautionary block keeps a record out of use while a request about it is reviewed: a blocked
watchlist entry (or the entry of a blocked alert) is left out of screening, and reads of it are
refused except to the data-protection officer, auditors and administrators. An alert may be
blocked before it is ever screened (a draft, an alert in review): ``jisr.notices`` asks
``jisr.restrictions.service.notice_blocked`` and refuses to publish or send it on while
blocked. Deciding a request lifts its blocks; granting a deletion retires the watchlist entries
it blocked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind, authorize
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db.superseding import supersede
from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError
from jisr.ids import new_id
from jisr.notices.models import Notice
from jisr.rights.models import (
    Outcome,
    RecordType,
    RequestKind,
    RequestStatus,
    RightsBlock,
    RightsDecision,
    SubjectRequest,
)
from jisr.rights.schemas import BlockCreate, DecisionCreate, RequestCreate
from jisr.rights.settings import RightsSettings
from jisr.watchlists.models import WatchlistEntry
from jisr.watchlists.service import bump_version, find_entry, set_blocked


def require_rights_officer(actor: Actor, action: Action = Action.UPDATE) -> None:
    """Policy's word: the data-protection officer (``dpo``) handles requests, auditors read them."""
    resource = Resource(ResourceKind.SUBJECT_REQUEST, actor.agency_code)
    decision = authorize(actor, action, resource, now=utcnow())
    if not decision.allowed:
        raise PermissionDeniedError(
            f"data-subject requests are handled by the data-protection officer: {decision.reason}",
            code="rights_officer_only",
        )


def due_at(kind: RequestKind, received_on: date, settings: RightsSettings) -> datetime:
    """The end (UTC) of the last day the law allows for answering."""
    last_day = received_on + timedelta(days=settings.days_for(kind))
    return datetime.combine(last_day, time.max, tzinfo=UTC)


def create_request(
    session: Session, actor: Actor, data: RequestCreate, settings: RightsSettings
) -> SubjectRequest:
    require_rights_officer(actor, Action.CREATE)
    request = SubjectRequest(
        id=new_id(actor.agency_code, "dsr"),
        kind=data.kind.value,
        subject_name=data.subject_name,
        identifiers=dict(data.identifiers),
        requester=data.requester,
        received_on=data.received_on,
        due_at=due_at(data.kind, data.received_on, settings),
        status=RequestStatus.OPEN.value,
        created_by=actor.display,
    )
    session.add(request)
    session.flush()
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "rights_request",
        request.id,
        details={"event": "received", "kind": data.kind.value, "due": request.due_at.isoformat()},
    )
    return request


def get_request(
    session: Session, actor: Actor, request_id: str, action: Action = Action.READ
) -> SubjectRequest:
    require_rights_officer(actor, action)
    request = session.get(SubjectRequest, request_id)
    if request is None:
        raise NotFoundError(f"no data-subject request {request_id}", code="rights_not_found")
    return request


def list_requests(
    session: Session, actor: Actor, *, overdue: bool = False, now: datetime | None = None
) -> Sequence[SubjectRequest]:
    require_rights_officer(actor, Action.READ)
    stmt = select(SubjectRequest).order_by(SubjectRequest.due_at, SubjectRequest.id)
    if overdue:
        stmt = stmt.where(
            SubjectRequest.status == RequestStatus.OPEN.value,
            SubjectRequest.due_at < (now or utcnow()),
        )
    return session.execute(stmt).scalars().all()


def is_overdue(request: SubjectRequest, now: datetime | None = None) -> bool:
    return request.status == RequestStatus.OPEN.value and request.due_at < (now or utcnow())


def blocks_of(session: Session, request_id: str, *, active: bool = False) -> list[RightsBlock]:
    stmt = select(RightsBlock).where(RightsBlock.request_id == request_id)
    if active:
        stmt = stmt.where(RightsBlock.lifted_at.is_(None))
    return list(session.execute(stmt.order_by(RightsBlock.placed_at, RightsBlock.id)).scalars())


def decisions_of(session: Session, request_id: str) -> list[RightsDecision]:
    stmt = select(RightsDecision).where(RightsDecision.request_id == request_id)
    return list(
        session.execute(stmt.order_by(RightsDecision.decided_at, RightsDecision.id)).scalars()
    )


def is_blocked(session: Session, record_type: RecordType, record_id: str) -> bool:
    """Whether a record is held back by a block (for other domains' reads, e.g. notices)."""
    stmt = select(RightsBlock.id).where(
        RightsBlock.record_type == record_type.value,
        RightsBlock.record_id == record_id,
        RightsBlock.lifted_at.is_(None),
    )
    return session.execute(stmt).first() is not None


def _entry_of(session: Session, record_type: RecordType, record_id: str) -> WatchlistEntry | None:
    """The watchlist entry a block holds back; an alert that is not (yet) screened has none."""
    if record_type is RecordType.WATCHLIST_ENTRY:
        return find_entry(session, record_id)
    entry = session.execute(
        select(WatchlistEntry).where(WatchlistEntry.notice_id == record_id)
    ).scalar_one_or_none()
    if entry is None and session.get(Notice, record_id) is None:
        raise NotFoundError(f"no alert {record_id} held by this node", code="rights_no_record")
    return entry


def _still_blocked(session: Session, entry: WatchlistEntry) -> bool:
    keys = [entry.id] + ([entry.notice_id] if entry.notice_id else [])
    stmt = select(RightsBlock.id).where(
        RightsBlock.lifted_at.is_(None), RightsBlock.record_id.in_(keys)
    )
    return session.execute(stmt).first() is not None


def place_block(session: Session, actor: Actor, request_id: str, data: BlockCreate) -> RightsBlock:
    request = get_request(session, actor, request_id, Action.UPDATE)
    if request.status != RequestStatus.OPEN.value:
        raise ConflictError("the request is decided", code="rights_request_decided")
    entry = _entry_of(session, data.record_type, data.record_id)
    block = RightsBlock(
        id=new_id(actor.agency_code, "dsrblock"),
        request_id=request.id,
        record_type=data.record_type.value,
        record_id=data.record_id,
        placed_by=actor.display,
        placed_at=utcnow(),
    )
    session.add(block)
    if entry is not None:
        set_blocked(session, entry.id, True)
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        data.record_type.value,
        data.record_id,
        justification=f"precautionary block for data-subject request {request.id}",
        details={"event": "blocked", "request": request.id, "block": block.id},
    )
    return block


def lift_block(session: Session, actor: Actor, block: RightsBlock, reason: str) -> None:
    block.lifted_at = utcnow()
    block.lifted_by = actor.display
    session.flush()
    entry = _entry_of(session, RecordType(block.record_type), block.record_id)
    if entry is not None and not _still_blocked(session, entry):
        set_blocked(session, entry.id, False)
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        block.record_type,
        block.record_id,
        justification=reason,
        details={"event": "unblocked", "request": block.request_id, "block": block.id},
    )


def decide(session: Session, actor: Actor, request_id: str, data: DecisionCreate) -> RightsDecision:
    """Record the outcome with its grounds; a later decision supersedes, the old one is kept."""
    request = get_request(session, actor, request_id, Action.UPDATE)
    decision = RightsDecision(
        id=new_id(actor.agency_code, "dsrdecision"),
        request_id=request.id,
        outcome=data.outcome.value,
        grounds=data.grounds,
        decided_by=actor.display,
        decided_at=utcnow(),
    )
    supersede(session, decisions_of(session, request.id), decision)
    request.status = RequestStatus.DECIDED.value
    session.flush()
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "rights_request",
        request.id,
        justification=data.grounds,
        details={"event": "decided", "outcome": data.outcome.value},
    )
    erase = data.outcome is Outcome.GRANTED and request.kind == RequestKind.DELETION.value
    for block in blocks_of(session, request.id, active=True):
        if erase:
            _erase(session, actor, request, block)
        lift_block(session, actor, block, f"request {request.id} decided: {data.outcome.value}")
    return decision


def _erase(session: Session, actor: Actor, request: SubjectRequest, block: RightsBlock) -> None:
    entry = _entry_of(session, RecordType(block.record_type), block.record_id)
    if entry is None:
        return  # an alert never screened: its owner withdraws it (the notices lifecycle)
    entry.active = False
    entry.updated_at = utcnow()
    session.flush()
    bump_version(session)
    record(
        session,
        actor,
        AuditAction.ERASURE,
        block.record_type,
        block.record_id,
        justification=f"deletion granted on data-subject request {request.id}",
        details={"event": "retired from watchlists", "entry": entry.id},
    )
