"""Notices API: alerts, automated checks, compliance review, publication, withdrawal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from jisr.api.deps import CurrentActor, SessionDep
from jisr.notices import drafting, publication, receipts, review, views
from jisr.notices.models import AlertType, NoticeStatus, Origin
from jisr.notices.schemas import (
    AGENCY_CODE_PATTERN,
    NOTICE_ID_PATTERN,
    DeletionReceiptRead,
    Extension,
    NoticeCreate,
    NoticeRead,
    NoticeSummary,
    NoticeUpdate,
    Reason,
    ReviewCreate,
    ReviewRead,
    ReviewStats,
)

router = APIRouter(tags=["notices"])
NoticeId = Annotated[str, Path(pattern=NOTICE_ID_PATTERN, max_length=80)]
ReviewId = Annotated[str, Path(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}:review:[0-9A-Z]{1,40}$")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such record"},
    409: {"description": "Conflicting state"},
    422: {"description": "Invalid input"},
}


@router.post("/notices", response_model=NoticeRead, status_code=201, responses=_ERRORS)
def create_notice(body: NoticeCreate, session: SessionDep, actor: CurrentActor) -> NoticeRead:
    """Write a draft alert (nothing leaves the node until it is checked, reviewed, published)."""
    return views.to_read(drafting.create_notice(session, actor, body))


@router.get("/notices", response_model=list[NoticeSummary], responses=_ERRORS)
def list_notices(
    session: SessionDep,
    actor: CurrentActor,
    alert_type: AlertType | None = None,
    status: NoticeStatus | None = None,
    origin: Origin | None = None,
    owner: Annotated[str | None, Query(pattern=AGENCY_CODE_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[NoticeSummary]:
    """Alerts you may read (ours and partners'), newest first."""
    query = drafting.NoticeFilter(alert_type, status, origin, owner, limit, offset)
    return [views.to_summary(n) for n in drafting.list_notices(session, actor, query)]


@router.get("/notices/review-queue", response_model=list[NoticeSummary], responses=_ERRORS)
def review_queue(session: SessionDep, actor: CurrentActor) -> list[NoticeSummary]:
    """Our alerts waiting for compliance review, with the reasons review is mandatory."""
    return [views.to_summary(n) for n in review.review_queue(session, actor)]


@router.get("/notices/review-stats", response_model=ReviewStats, responses=_ERRORS)
def review_stats(session: SessionDep, actor: CurrentActor) -> ReviewStats:
    """Standing review decisions on our alerts, refusals counted by ground."""
    return review.review_stats(session, actor)


@router.get("/notices/{notice_id}", response_model=NoticeRead, responses=_ERRORS)
def read_notice(notice_id: NoticeId, session: SessionDep, actor: CurrentActor) -> NoticeRead:
    return views.to_read(drafting.read_notice(session, actor, notice_id))


@router.patch("/notices/{notice_id}", response_model=NoticeRead, responses=_ERRORS)
def update_notice(
    notice_id: NoticeId, body: NoticeUpdate, session: SessionDep, actor: CurrentActor
) -> NoticeRead:
    """The owner edits an alert (a published one only if no new review is needed)."""
    return views.to_read(drafting.update_notice(session, actor, notice_id, body))


@router.post("/notices/{notice_id}/submit", response_model=NoticeRead, responses=_ERRORS)
def submit_notice(notice_id: NoticeId, session: SessionDep, actor: CurrentActor) -> NoticeRead:
    """Run the automated checks; the results are stored with the alert."""
    return views.to_read(drafting.submit_notice(session, actor, notice_id))


@router.post(
    "/notices/{notice_id}/reviews", response_model=ReviewRead, status_code=201, responses=_ERRORS
)
def review_notice(
    notice_id: NoticeId, body: ReviewCreate, session: SessionDep, actor: CurrentActor
) -> ReviewRead:
    """Approve or refuse (with grounds) an alert in review: the owner agency's liaison desk."""
    return views.to_review(review.review_notice(session, actor, notice_id, body))


@router.get("/notices/{notice_id}/reviews", response_model=list[ReviewRead], responses=_ERRORS)
def list_reviews(notice_id: NoticeId, session: SessionDep, actor: CurrentActor) -> list[ReviewRead]:
    return [views.to_review(r) for r in review.list_reviews(session, actor, notice_id)]


@router.post(
    "/notices/{notice_id}/reviews/{review_id}/retract",
    response_model=ReviewRead,
    responses=_ERRORS,
)
def retract_review(
    notice_id: NoticeId,
    review_id: ReviewId,
    body: Reason,
    session: SessionDep,
    actor: CurrentActor,
) -> ReviewRead:
    """Soft-delete a decision taken in error (before publication)."""
    return views.to_review(review.retract_review(session, actor, notice_id, review_id, body.reason))


@router.post("/notices/{notice_id}/publish", response_model=NoticeRead, responses=_ERRORS)
def publish_notice(notice_id: NoticeId, session: SessionDep, actor: CurrentActor) -> NoticeRead:
    """Publish an approved alert to every partner whose agreement covers it."""
    return views.to_read(publication.publish_notice(session, actor, notice_id))


def _close(
    session: SessionDep, actor: CurrentActor, notice_id: str, target: NoticeStatus, reason: str
) -> NoticeRead:
    return views.to_read(publication.close_notice(session, actor, notice_id, target, reason))


@router.post("/notices/{notice_id}/withdraw", response_model=NoticeRead, responses=_ERRORS)
def withdraw_notice(
    notice_id: NoticeId, body: Reason, session: SessionDep, actor: CurrentActor
) -> NoticeRead:
    """Withdraw an alert: partners erase their copies and send deletion receipts."""
    return _close(session, actor, notice_id, NoticeStatus.WITHDRAWN, body.reason)


@router.post("/notices/{notice_id}/cancel", response_model=NoticeRead, responses=_ERRORS)
def cancel_notice(
    notice_id: NoticeId, body: Reason, session: SessionDep, actor: CurrentActor
) -> NoticeRead:
    """Cancel an alert (subject found, warrant lifted): erased everywhere like a withdrawal."""
    return _close(session, actor, notice_id, NoticeStatus.CANCELLED, body.reason)


@router.post("/notices/{notice_id}/recall", response_model=NoticeRead, responses=_ERRORS)
def recall_diffusion(
    notice_id: NoticeId, body: Reason, session: SessionDep, actor: CurrentActor
) -> NoticeRead:
    """Recall a diffusion already sent."""
    return _close(session, actor, notice_id, NoticeStatus.RECALLED, body.reason)


@router.post("/notices/{notice_id}/extend", response_model=NoticeRead, responses=_ERRORS)
def extend_notice(
    notice_id: NoticeId, body: Extension, session: SessionDep, actor: CurrentActor
) -> NoticeRead:
    """The owner extends an alert's validity."""
    return views.to_read(drafting.extend_notice(session, actor, notice_id, body.valid_until))


@router.get(
    "/notices/{notice_id}/deletion-receipts",
    response_model=list[DeletionReceiptRead],
    responses=_ERRORS,
)
def deletion_receipts(
    notice_id: NoticeId, session: SessionDep, actor: CurrentActor
) -> list[DeletionReceiptRead]:
    """Partners' signed receipts that they erased their copies."""
    found = receipts.list_deletion_receipts(session, actor, notice_id)
    return [DeletionReceiptRead.model_validate(r) for r in found]
