"""What an alert looks like inside an envelope, both ways."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.notices.models import AlertType, Notice, NoticeReview, ReviewDecision

PUBLISH_ENVELOPE = "notices.publish"
UPDATE_ENVELOPE = "notices.update"
WITHDRAW_ENVELOPE = "notices.withdraw"
DELETION_RECEIPT_ENVELOPE = "notices.deletion_receipt"


class WithdrawalKind(StrEnum):
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    RECALLED = "recalled"
    EXPIRED = "expired"


class WireCheck(BaseModel):
    """One of the owner's automated-check findings, as its console shows it (code + values)."""

    model_config = ConfigDict(extra="ignore")

    check: str = Field(max_length=40)
    outcome: str = Field(max_length=16)
    message: str = Field(default="", max_length=2000)
    code: str | None = Field(default=None, max_length=80)
    params: dict[str, Any] = Field(default_factory=dict)


class WireReview(BaseModel):
    """The owner's compliance decision the alert was published on (who decided stays home)."""

    model_config = ConfigDict(extra="ignore")

    decision: ReviewDecision
    decided_at: datetime


class WireNotice(BaseModel):
    """Unknown fields are ignored so that a newer partner can add some without breaking us.
    The owner's checks, review and publisher came later: a payload without them is accepted
    (the copy then says they were not sent)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(max_length=80)
    reference: str = Field(min_length=1, max_length=60)
    alert_type: AlertType
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=20_000)
    subject: dict[str, Any]
    related: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    offence: str | None = Field(default=None, max_length=4000)
    crime_area: CrimeArea
    data_category: DataCategory
    max_penalty_years: float | None = None
    warrant_reference: str | None = Field(default=None, max_length=200)
    legal_basis: str | None = Field(default=None, max_length=4000)
    handling_code: HandlingCode
    valid_until: datetime
    version: int = Field(ge=1)
    published_at: datetime
    created_by: str = Field(max_length=120)
    published_by: str | None = Field(default=None, max_length=120)
    checks: list[WireCheck] | None = Field(default=None, max_length=50)
    checked_at: datetime | None = None
    review: WireReview | None = None


class WireWithdrawal(BaseModel):
    model_config = ConfigDict(extra="ignore")

    notice_id: str = Field(max_length=80)
    reference: str = Field(max_length=60)
    kind: WithdrawalKind
    reason: str = Field(max_length=2000)


class WireDeletionReceipt(BaseModel):
    model_config = ConfigDict(extra="ignore")

    notice_id: str = Field(max_length=80)
    reference: str = Field(max_length=60)
    deleted_at: datetime
    watchlist_entry_removed: bool
    withdrawal_envelope: str = Field(max_length=80)


def _shareable(check: dict[str, Any]) -> WireCheck:
    """A finding as partners may see it: a possible duplicate names other alerts, which may be
    a third party's or not shared with this partner, so it goes without their references."""
    if check.get("code") == "duplicates.found":
        return WireCheck(
            check=str(check.get("check", "duplicates")),
            outcome=str(check.get("outcome", "review")),
            message="mandatory review: possible duplicate of another alert",
            code="duplicates.withheld",
        )
    return WireCheck.model_validate(check)


def notice_payload(notice: Notice, review: NoticeReview | None = None) -> dict[str, Any]:
    """The alert as partners receive it, with the owner's checks and ``review`` (the standing
    decision it was published on, if any)."""
    return WireNotice(
        id=notice.id,
        reference=notice.reference,
        alert_type=notice.type,
        title=notice.title,
        summary=notice.summary,
        subject=notice.subject,
        related=notice.related,
        offence=notice.offence,
        crime_area=CrimeArea(notice.crime_area),
        data_category=DataCategory(notice.data_category),
        max_penalty_years=notice.max_penalty_years,
        warrant_reference=notice.warrant_reference,
        legal_basis=notice.legal_basis,
        handling_code=HandlingCode(notice.handling_code),
        valid_until=notice.valid_until,
        version=notice.version,
        published_at=notice.published_at or notice.updated_at,
        created_by=notice.created_by,
        published_by=notice.published_by,
        checks=[_shareable(check) for check in notice.checks],
        checked_at=notice.checked_at,
        review=WireReview(decision=ReviewDecision(review.decision), decided_at=review.decided_at)
        if review is not None
        else None,
    ).model_dump(mode="json")
