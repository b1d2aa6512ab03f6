"""Small reads for the console: the home page's review count and an alert's status history.

Nothing here audits: the count shows no record, and the history is built from rows the caller
already loaded through the audited service functions (``read_notice``, ``list_reviews``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import REVIEWER_ROLES
from jisr.notices.models import (
    CLOSED_STATUSES,
    Notice,
    NoticeReview,
    NoticeStatus,
    Origin,
    ReviewDecision,
)


def count_awaiting_review(session: Session, actor: Actor) -> int:
    """Our alerts in review that ``actor`` may decide on (a reviewer who is not the author)."""
    if not actor.roles & REVIEWER_ROLES:
        return 0
    stmt = (
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.status == NoticeStatus.IN_REVIEW.value,
            Notice.origin == Origin.LOCAL.value,
            Notice.owner_agency == actor.agency_code,
            Notice.created_by_id != actor.id,
        )
    )
    return int(session.execute(stmt).scalar_one())


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One step of an alert's life: when, the status it reached, who, and why."""

    at: datetime
    status: str
    by: str | None = None
    note: str | None = None
    # Review decisions retracted later stay in the history, marked.
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class OwnerDecision:
    """The owner's compliance decision on a partner's copy, as its node sent it."""

    decision: str
    decided_at: datetime


def owner_decision(notice: Notice) -> OwnerDecision | None:
    review = notice.owner_review or {}
    try:
        return OwnerDecision(str(review["decision"]), datetime.fromisoformat(review["decided_at"]))
    except (KeyError, TypeError, ValueError):
        return None


def _partner_history(notice: Notice) -> list[StatusEvent]:
    """A partner's copy: its owner's decision and publication, as received."""
    owner = notice.owner_agency
    events = []
    decided = owner_decision(notice)
    if decided is not None and decided.decision == ReviewDecision.APPROVE.value:
        events.append(StatusEvent(decided.decided_at, NoticeStatus.APPROVED.value, owner))
    if notice.received_at is not None:
        by = f"{notice.published_by} ({owner})" if notice.published_by else owner
        events.append(StatusEvent(notice.received_at, NoticeStatus.PUBLISHED.value, by))
    return sorted(events, key=lambda e: e.at)


def status_history(notice: Notice, reviews: Sequence[NoticeReview]) -> list[StatusEvent]:
    """The alert's steps, oldest first, from its own timestamps and its review decisions."""
    if notice.origin == Origin.PARTNER.value:
        return _partner_history(notice)
    events = [StatusEvent(notice.created_at, NoticeStatus.DRAFT.value, notice.created_by)]
    if notice.checked_at is not None:
        failed = any(c.get("outcome") == "fail" for c in notice.checks)
        status = NoticeStatus.DRAFT if failed else NoticeStatus.IN_REVIEW
        events.append(StatusEvent(notice.checked_at, status.value, notice.created_by))
    for review in reviews:
        refused = review.decision == ReviewDecision.REFUSE.value
        status = NoticeStatus.REFUSED if refused else NoticeStatus.APPROVED
        note = ", ".join(review.grounds)
        if review.comment:
            note = f"{note}: {review.comment}" if note else review.comment
        events.append(
            StatusEvent(
                review.decided_at,
                status.value,
                review.reviewer,
                note or None,
                retracted=review.deleted_at is not None,
            )
        )
    if notice.published_at is not None:
        events.append(
            StatusEvent(notice.published_at, NoticeStatus.PUBLISHED.value, notice.published_by)
        )
    if notice.closed_at is not None and notice.state in CLOSED_STATUSES:
        events.append(StatusEvent(notice.closed_at, notice.status, None, notice.status_reason))
    return sorted(events, key=lambda e: e.at)
