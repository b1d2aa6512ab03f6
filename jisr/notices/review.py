"""Human compliance review: each decision is a record (who, what, on which grounds, when),
never overwritten; a retracted decision is soft-deleted and the alert waits for review again.

Reviewers are liaison officers of the owner agency (policy's REVIEW), never the alert's author.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check, require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from jisr.ids import new_id
from jisr.notices import publication
from jisr.notices.access import load_notice, notice_resource
from jisr.notices.models import (
    AlertType,
    Notice,
    NoticeReview,
    NoticeStatus,
    Origin,
    ReviewDecision,
)
from jisr.notices.schemas import ReviewCreate, ReviewStats
from jisr.notices.status import move
from jisr.notices.views import review_reasons

MIN_JUSTIFICATION = 10


def review_notice(
    session: Session, actor: Actor, notice_id: str, data: ReviewCreate
) -> NoticeReview:
    """Approve or refuse an alert waiting for review. Refusing needs grounds; approving an
    alert the checks flagged needs a written justification. An approved diffusion goes out."""
    if actor.kind is not ActorKind.USER:
        raise PermissionDeniedError(
            "a compliance review is made by a person", code="review_by_person"
        )
    notice = load_notice(session, actor, notice_id, Action.REVIEW)
    if notice.state is not NoticeStatus.IN_REVIEW:
        raise ConflictError(
            f"notice is {notice.status}, not in review", code="notice_not_in_review"
        )
    if actor.id == notice.created_by_id:
        raise PermissionDeniedError(
            "the author of an alert does not review it", code="reviewer_is_author"
        )
    refuse = data.decision is ReviewDecision.REFUSE
    if refuse and not data.grounds:
        raise ValidationError("a refusal states its grounds", code="grounds_required")
    if not refuse and data.grounds:
        raise ValidationError("grounds are for refusals", code="grounds_not_allowed")
    flagged = review_reasons(notice)
    if not refuse and flagged and len(data.comment.strip()) < MIN_JUSTIFICATION:
        raise ValidationError(
            "approving a flagged alert needs a written justification in comment: "
            + "; ".join(flagged),
            code="justification_required",
        )
    now = utcnow()
    review = NoticeReview(
        id=new_id(actor.agency_code, "review"),
        notice_id=notice.id,
        version=notice.version,
        reviewer=actor.display,
        reviewer_id=actor.id,
        decision=data.decision.value,
        grounds=sorted({g.value for g in data.grounds}),
        comment=data.comment,
        decided_at=now,
    )
    session.add(review)
    move(notice, NoticeStatus.REFUSED if refuse else NoticeStatus.APPROVED)
    notice.status_reason = data.comment or ", ".join(review.grounds) or None
    notice.updated_at = now
    session.flush()
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "notice",
        notice.id,
        justification=data.comment,
        details={"event": "reviewed", "decision": review.decision, "grounds": review.grounds},
    )
    if not refuse and notice.type is AlertType.DIFFUSION:
        publication.publish(session, actor, notice)
    return review


def retract_review(
    session: Session, actor: Actor, notice_id: str, review_id: str, reason: str
) -> NoticeReview:
    """Soft-delete a decision taken in error; the alert waits for review again."""
    notice = load_notice(session, actor, notice_id, Action.REVIEW)
    review = session.get(NoticeReview, review_id)
    if review is None or review.notice_id != notice.id:
        raise NotFoundError(f"no review {review_id} of {notice_id}", code="review_not_found")
    if review.deleted_at is not None:
        raise ConflictError("that decision was already retracted", code="review_retracted")
    if notice.state not in {NoticeStatus.APPROVED, NoticeStatus.REFUSED}:
        raise ConflictError(
            f"notice is {notice.status}; a decision is retracted before publication",
            code="notice_not_reviewed",
        )
    review.deleted_at = utcnow()
    review.deleted_by = actor.display
    move(notice, NoticeStatus.IN_REVIEW)
    notice.updated_at = review.deleted_at
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "notice",
        notice.id,
        justification=reason,
        details={"event": "review_retracted", "review": review.id},
    )
    return review


def list_reviews(session: Session, actor: Actor, notice_id: str) -> Sequence[NoticeReview]:
    notice = load_notice(session, actor, notice_id, Action.READ)
    stmt = select(NoticeReview).where(NoticeReview.notice_id == notice.id)
    rows = session.execute(stmt.order_by(NoticeReview.decided_at, NoticeReview.id)).scalars().all()
    record(session, actor, AuditAction.CONSULTATION, "notice_reviews", notice.id)
    return rows


def review_queue(session: Session, actor: Actor) -> list[Notice]:
    """Our alerts waiting for review, oldest first, for the officers allowed to review them."""
    stmt = select(Notice).where(
        Notice.status == NoticeStatus.IN_REVIEW.value,
        Notice.origin == Origin.LOCAL.value,
        Notice.owner_agency == actor.agency_code,
    )
    rows = [
        n
        for n in session.execute(stmt.order_by(Notice.updated_at, Notice.id)).scalars()
        if check(session, actor, Action.REVIEW, notice_resource(n)).allowed
    ]
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "notice_review_queue",
        details={"returned": len(rows)},
    )
    return rows


def review_stats(session: Session, actor: Actor) -> ReviewStats:
    """Standing (not retracted) decisions on our alerts, and refusals counted by ground."""
    require(session, actor, Action.READ, Resource(ResourceKind.NOTICE, actor.agency_code))
    stmt = (
        select(NoticeReview)
        .join(Notice, Notice.id == NoticeReview.notice_id)
        .where(NoticeReview.deleted_at.is_(None), Notice.owner_agency == actor.agency_code)
    )
    reviews = session.execute(stmt).scalars().all()
    refused = [r for r in reviews if r.decision == ReviewDecision.REFUSE.value]
    grounds = Counter(g for r in refused for g in r.grounds)
    record(session, actor, AuditAction.CONSULTATION, "notice_review_stats")
    return ReviewStats(
        reviews=len(reviews),
        approved=len(reviews) - len(refused),
        refused=len(refused),
        refusals_by_ground=dict(sorted(grounds.items())),
    )
