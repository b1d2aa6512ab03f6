"""Rows as the API and CLI show them."""

from __future__ import annotations

from jisr.notices.checks import Outcome
from jisr.notices.models import Notice, NoticeReview
from jisr.notices.schemas import (
    CheckRead,
    DistributionRead,
    NoticeRead,
    NoticeSummary,
    ReviewRead,
)


def review_reasons(notice: Notice) -> list[str]:
    """Why human review is mandatory, as the automated checks found."""
    return [c["message"] for c in notice.checks if c.get("outcome") == Outcome.REVIEW.value]


def to_summary(notice: Notice) -> NoticeSummary:
    return NoticeSummary(
        id=notice.id,
        reference=notice.reference,
        alert_type=notice.alert_type,
        status=notice.status,
        origin=notice.origin,
        owner_agency=notice.owner_agency,
        title=notice.title,
        crime_area=notice.crime_area,
        valid_until=notice.valid_until,
        review_reasons=review_reasons(notice),
        updated_at=notice.updated_at,
    )


def to_read(notice: Notice) -> NoticeRead:
    return NoticeRead(
        **to_summary(notice).model_dump(),
        summary=notice.summary,
        subject=notice.subject,
        related=notice.related,
        offence=notice.offence,
        data_category=notice.data_category,
        max_penalty_years=notice.max_penalty_years,
        warrant_reference=notice.warrant_reference,
        legal_basis=notice.legal_basis,
        handling_code=notice.handling_code,
        political_context=notice.political_context,
        refugee_status=notice.refugee_status,
        recipients=notice.recipients,
        checks=[CheckRead(**c) for c in notice.checks],
        checked_at=notice.checked_at,
        publication_note=notice.publication_note,
        publication_refusals=notice.publication_refusals,
        status_reason=notice.status_reason,
        version=notice.version,
        distributions=[
            DistributionRead(
                agency=d.agency,
                agreement_id=d.agreement_id,
                status=d.status,
                sent_at=d.sent_at,
                withdrawn_at=d.withdrawn_at,
            )
            for d in notice.distributions
        ],
        created_by=notice.created_by,
        created_at=notice.created_at,
        published_at=notice.published_at,
        published_by=notice.published_by,
        owner_review=notice.owner_review,
        closed_at=notice.closed_at,
        received_at=notice.received_at,
    )


def to_review(review: NoticeReview) -> ReviewRead:
    return ReviewRead(
        id=review.id,
        notice_id=review.notice_id,
        version=review.version,
        reviewer=review.reviewer,
        decision=review.decision,
        grounds=review.grounds,
        comment=review.comment,
        decided_at=review.decided_at,
        deleted_at=review.deleted_at,
        deleted_by=review.deleted_by,
    )
