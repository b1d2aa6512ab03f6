"""Writing alerts: create a draft, edit it, submit it to the automated checks, extend it.

Only the owner agency edits or extends (policy's OWNER_ONLY); a published alert may be edited
when the edit passes the checks without new reasons for review, and partners then receive the
new version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import HandlingCode
from jisr.agreements.policy import Action
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db.upsert import insert_or_ignore
from jisr.errors import ConflictError, ValidationError
from jisr.ids import new_id
from jisr.notices import publication, subjects
from jisr.notices.access import load_notice, notice_resource, readable, require_readable
from jisr.notices.checks import Outcome, run_checks
from jisr.notices.models import (
    CLOSED_STATUSES,
    REFERENCE_LETTER,
    AlertType,
    Notice,
    NoticeSequence,
    NoticeStatus,
    Origin,
)
from jisr.notices.schemas import NoticeCreate, NoticeFields, NoticeUpdate
from jisr.notices.status import move
from jisr.notices.watch import watch

DEFAULT_VALIDITY = timedelta(days=5 * 365)
MAX_VALIDITY = timedelta(days=10 * 366)
# States in which an alert is "live" for duplicate detection.
_LIVE = (NoticeStatus.IN_REVIEW, NoticeStatus.APPROVED, NoticeStatus.PUBLISHED)
_REQUIRED = ("title", "subject", "crime_area")


def next_reference(session: Session, owner: str, alert_type: AlertType, now: datetime) -> str:
    """``MA-DGST/2026/R-0001``: numbered per owner, year and alert type."""
    prefix = f"{owner}/{now.year}/{REFERENCE_LETTER[alert_type]}"
    insert_or_ignore(session, NoticeSequence, prefix=prefix, last=0)
    counter = session.execute(
        select(NoticeSequence)
        .where(NoticeSequence.prefix == prefix)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last += 1
    return f"{prefix}-{counter.last:04d}"


def _check_validity(valid_until: datetime, now: datetime) -> None:
    if not now < valid_until <= now + MAX_VALIDITY:
        raise ValidationError(
            "valid_until must be in the future and within ten years", code="validity_invalid"
        )


def _check_recipients(notice: Notice, owner: str) -> None:
    if notice.type is AlertType.DIFFUSION:
        if not notice.recipients:
            raise ValidationError("a diffusion names its recipients", code="recipients_required")
        if owner in notice.recipients:
            raise ValidationError("a diffusion goes to partners only", code="recipient_invalid")
    elif notice.recipients:
        raise ValidationError(
            "only diffusions name recipients; alerts go to every covered partner",
            code="recipients_not_allowed",
        )


def _apply(notice: Notice, data: NoticeFields, fields: set[str], owner: str) -> None:
    for name in fields & set(_REQUIRED):
        if getattr(data, name) is None:
            raise ValidationError(f"{name} cannot be removed", code="field_required")
    if fields & {"subject", "related"}:
        raw_subject = data.subject if "subject" in fields else notice.subject
        raw_related = (data.related or []) if "related" in fields else notice.related
        notice.subject, notice.related = subjects.normalise(raw_subject, raw_related, owner)
        notice.data_category = subjects.data_category(notice.subject, notice.related).value
    plain = fields - {"subject", "related"}
    defaults: dict[str, Any] = {
        "summary": "",
        "handling_code": HandlingCode.H0.value,
        "political_context": False,
        "refugee_status": False,
        "recipients": [],
    }
    for name in plain:
        value = getattr(data, name)
        if value is None:
            if name == "valid_until":
                raise ValidationError("valid_until cannot be removed", code="field_required")
            value = defaults.get(name)
        elif name == "recipients":
            value = sorted(set(value))
        elif hasattr(value, "value"):
            value = value.value
        setattr(notice, name, value)


def create_notice(session: Session, actor: Actor, data: NoticeCreate) -> Notice:
    """A draft alert owned by ``actor``'s agency, with its public reference."""
    now = utcnow()
    subject, related = subjects.normalise(data.subject, data.related or [], actor.agency_code)
    valid_until = data.valid_until or now + DEFAULT_VALIDITY
    _check_validity(valid_until, now)
    notice = Notice(
        id=new_id(actor.agency_code, "notice"),
        alert_type=data.alert_type.value,
        status=NoticeStatus.DRAFT.value,
        origin=Origin.LOCAL.value,
        owner_agency=actor.agency_code,
        subject=subject,
        related=related,
        data_category=subjects.data_category(subject, related).value,
        valid_until=valid_until,
        checks=[],
        created_by=actor.display,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    fields = data.model_fields_set - {"alert_type", "subject", "related", "valid_until"}
    _apply(notice, data, fields, actor.agency_code)
    for name, default in (("summary", ""), ("handling_code", "H0"), ("recipients", [])):
        if getattr(notice, name) is None:
            setattr(notice, name, default)
    notice.political_context = bool(notice.political_context)
    notice.refugee_status = bool(notice.refugee_status)
    _check_recipients(notice, actor.agency_code)
    require(session, actor, Action.CREATE, notice_resource(notice))
    notice.reference = next_reference(session, actor.agency_code, data.alert_type, now)
    session.add(notice)
    session.flush()
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "notice",
        notice.id,
        details={"event": "drafted", "type": notice.alert_type, "reference": notice.reference},
    )
    return notice


def live_notices(session: Session, exclude: str | None = None) -> Sequence[Notice]:
    stmt = select(Notice).where(Notice.status.in_([s.value for s in _LIVE]))
    if exclude:
        stmt = stmt.where(Notice.id != exclude)
    return session.execute(stmt).scalars().all()


def update_notice(session: Session, actor: Actor, notice_id: str, data: NoticeUpdate) -> Notice:
    """Edit an alert. Before publication the alert returns to draft and must be submitted
    again; after publication the edit must pass the checks with no new reason for review."""
    notice = load_notice(session, actor, notice_id, Action.UPDATE)
    if notice.origin != Origin.LOCAL.value:
        raise ConflictError("a partner's alert is changed by its owner only")
    if notice.state in CLOSED_STATUSES:
        raise ConflictError(f"notice is {notice.status}", code="notice_closed")
    fields = set(data.model_fields_set)
    before = {c["check"]: c["outcome"] for c in notice.checks}
    _apply(notice, data, fields, actor.agency_code)
    now = utcnow()
    if "valid_until" in fields:
        _check_validity(notice.valid_until, now)
    _check_recipients(notice, actor.agency_code)
    require(session, actor, Action.UPDATE, notice_resource(notice))
    notice.updated_at = now
    published = notice.state is NoticeStatus.PUBLISHED
    if published:
        if "recipients" in fields:
            raise ConflictError("recipients of a sent diffusion cannot change", code="notice_sent")
        results = run_checks(notice, live_notices(session, notice.id))
        blocking = [r.message for r in results if r.outcome is Outcome.FAIL]
        new_review = [
            r.message
            for r in results
            if r.outcome is Outcome.REVIEW and before.get(r.check) != Outcome.REVIEW.value
        ]
        if blocking or new_review:
            raise ConflictError(
                "this edit needs a new review; withdraw the alert and submit a new one: "
                + "; ".join(blocking + new_review),
                code="update_needs_review",
            )
        notice.checks = [r.to_json() for r in results]
        notice.checked_at = now
        notice.version += 1
    else:
        move(notice, NoticeStatus.DRAFT)
        notice.checks = []
        notice.checked_at = None
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "notice",
        notice.id,
        details={"event": "updated", "fields": sorted(fields), "version": notice.version},
    )
    if published:
        publication.send_update(session, actor, notice)
        watch(session, notice)
    return notice


def submit_notice(session: Session, actor: Actor, notice_id: str) -> Notice:
    """Run the automated checks. A failure keeps the draft (the results say what to fix);
    otherwise the alert waits for review, except a diffusion with no reason for review,
    which goes out at once."""
    notice = load_notice(session, actor, notice_id, Action.UPDATE)
    if notice.origin != Origin.LOCAL.value:
        raise ConflictError("a partner's alert cannot be submitted here")
    if notice.state not in {NoticeStatus.DRAFT, NoticeStatus.REFUSED}:
        raise ConflictError(f"notice is {notice.status}", code="notice_not_draft")
    now = utcnow()
    if notice.valid_until <= now:
        raise ConflictError("the alert's validity has ended; extend it", code="notice_expired")
    results = run_checks(notice, live_notices(session, notice.id))
    notice.checks = [r.to_json() for r in results]
    notice.checked_at = now
    notice.updated_at = now
    outcomes = {r.outcome for r in results}
    move(notice, NoticeStatus.DRAFT if Outcome.FAIL in outcomes else NoticeStatus.IN_REVIEW)
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "notice",
        notice.id,
        details={
            "event": "submitted",
            "checks": {r.check: r.outcome.value for r in results},
            "status": notice.status,
        },
    )
    if notice.type is AlertType.DIFFUSION and outcomes == {Outcome.PASS}:
        move(notice, NoticeStatus.APPROVED)
        publication.publish(session, actor, notice)
    return notice


def extend_notice(session: Session, actor: Actor, notice_id: str, valid_until: datetime) -> Notice:
    """The owner extends an alert's validity; partners receive the new expiry."""
    notice = load_notice(session, actor, notice_id, Action.EXTEND)
    if notice.origin != Origin.LOCAL.value or notice.state in CLOSED_STATUSES:
        raise ConflictError(f"notice is {notice.status}", code="notice_closed")
    now = utcnow()
    _check_validity(valid_until, now)
    if valid_until <= notice.valid_until:
        raise ValidationError(
            "an extension ends later than today's expiry", code="validity_invalid"
        )
    previous = notice.valid_until
    notice.valid_until = valid_until
    notice.updated_at = now
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "notice",
        notice.id,
        details={"event": "extended", "from": previous.isoformat(), "to": valid_until.isoformat()},
    )
    if notice.state is NoticeStatus.PUBLISHED:
        notice.version += 1
        publication.send_update(session, actor, notice)
    return notice


@dataclass(frozen=True, slots=True)
class NoticeFilter:
    alert_type: AlertType | None = None
    status: NoticeStatus | None = None
    origin: Origin | None = None
    owner: str | None = None
    limit: int = 100
    offset: int = 0


def list_notices(session: Session, actor: Actor, query: NoticeFilter) -> list[Notice]:
    """Newest first, only those ``actor`` may read (filtered in the query, then paged); the
    listing is audited as consultation."""
    stmt = select(Notice)
    if query.alert_type:
        stmt = stmt.where(Notice.alert_type == query.alert_type.value)
    if query.status:
        stmt = stmt.where(Notice.status == query.status.value)
    if query.origin:
        stmt = stmt.where(Notice.origin == query.origin.value)
    if query.owner:
        stmt = stmt.where(Notice.owner_agency == query.owner)
    stmt = stmt.order_by(Notice.created_at.desc(), Notice.id.desc())
    stmt = stmt.where(readable(session, actor)).limit(query.limit).offset(query.offset)
    rows = list(session.execute(stmt).scalars())
    record(session, actor, AuditAction.CONSULTATION, "notice_list", details={"returned": len(rows)})
    return rows


def read_notice(session: Session, actor: Actor, notice_id: str) -> Notice:
    notice = load_notice(session, actor, notice_id, Action.READ)
    require_readable(session, actor, notice)
    record(session, actor, AuditAction.CONSULTATION, "notice", notice.id)
    return notice
