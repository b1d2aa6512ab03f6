"""Notice tables: alerts, review decisions, distribution to partners, deletion receipts.

An alert written here is owned by this node's agency (``origin`` local); a partner's alert is
stored as a copy (``origin`` partner) whose owner is the sending agency, deleted when the owner
withdraws or cancels it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jisr.clock import utcnow
from jisr.db.base import Base


class AlertType(StrEnum):
    WANTED = "wanted"  # red: locate and arrest with a view to extradition
    LOCATE = "locate"  # blue: locate, identify or obtain information
    MISSING = "missing"  # yellow
    UNIDENTIFIED_BODY = "unidentified_body"  # black
    WARNING = "warning"  # green: criminal activities of a person
    THREAT = "threat"  # orange: imminent threat to public safety
    MODUS_OPERANDI = "modus_operandi"  # purple
    ASSETS = "assets"  # silver: locate and trace assets
    UN_SANCTIONS = "un_sanctions"  # INTERPOL–UN Security Council special notice
    DIFFUSION = "diffusion"  # sent directly to chosen partners, no prior review


# Letter in the public reference ``MA-DGST/2026/R-0001``.
REFERENCE_LETTER: dict[AlertType, str] = {
    AlertType.WANTED: "R",
    AlertType.LOCATE: "B",
    AlertType.MISSING: "Y",
    AlertType.UNIDENTIFIED_BODY: "K",
    AlertType.WARNING: "G",
    AlertType.THREAT: "O",
    AlertType.MODUS_OPERANDI: "P",
    AlertType.ASSETS: "S",
    AlertType.UN_SANCTIONS: "U",
    AlertType.DIFFUSION: "D",
}


class NoticeStatus(StrEnum):
    DRAFT = "draft"  # being written; automated checks not passed yet
    IN_REVIEW = "in_review"  # checks passed, waiting for the compliance reviewer
    APPROVED = "approved"  # review approved; the owner may publish
    REFUSED = "refused"  # review refused; the owner may edit and resubmit
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    RECALLED = "recalled"  # a diffusion taken back


CLOSED_STATUSES = frozenset(
    {NoticeStatus.WITHDRAWN, NoticeStatus.CANCELLED, NoticeStatus.EXPIRED, NoticeStatus.RECALLED}
)


class Origin(StrEnum):
    LOCAL = "local"  # written here, owned by this node's agency
    PARTNER = "partner"  # a partner's alert, held as a copy


class ReviewDecision(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


class RefusalGround(StrEnum):
    POLITICAL = "political"
    MILITARY = "military"
    RELIGIOUS = "religious"
    RACIAL = "racial"
    REFUGEE_STATUS = "refugee_status"
    INSUFFICIENT_IDENTIFIERS = "insufficient_identifiers"
    NOT_SERIOUS_ENOUGH = "not_serious_enough"
    NO_LEGAL_BASIS = "no_legal_basis"
    DUPLICATE = "duplicate"
    OTHER = "other"


class DistributionStatus(StrEnum):
    SENT = "sent"  # queued to the partner (the outbox delivers it)
    WITHDRAWN = "withdrawn"  # withdrawal queued; waiting for the deletion receipt
    DELETED = "deleted"  # the partner's signed deletion receipt came back


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_origin_status", "origin", "status"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    alert_type: Mapped[str] = mapped_column(String(24), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    origin: Mapped[str] = mapped_column(String(8))
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The subject as one FollowTheMoney entity (id namespaced by the owner: ``MA-DGST.p1``),
    # and related entities (passports held by the subject, vehicles, companies).
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    related: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    offence: Mapped[str | None] = mapped_column(Text)
    crime_area: Mapped[str] = mapped_column(String(32))
    data_category: Mapped[str] = mapped_column(String(32))
    max_penalty_years: Mapped[float | None]
    warrant_reference: Mapped[str | None] = mapped_column(String(200))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    handling_code: Mapped[str] = mapped_column(String(4))
    political_context: Mapped[bool] = mapped_column(default=False)
    refugee_status: Mapped[bool] = mapped_column(default=False)
    valid_until: Mapped[datetime] = mapped_column(index=True)
    # Diffusions: the partner agencies chosen by the owner.
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Results of the automated checks at the last submission (see ``checks``).
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checked_at: Mapped[datetime | None]
    # Why an alert was not sent to some or all partners at publication (shown to the owner).
    publication_note: Mapped[str | None] = mapped_column(Text)
    # The same, one item per partner left out, for the console to say in the reader's language:
    # {"agency", "code" (see ``publication.REFUSAL_CODES``), "agreement_id", "agreement_title",
    # "value"}; None for alerts published before it was kept.
    publication_refusals: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    status_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    # Who published the alert; for a partner copy, as its owner sent it (None: not sent).
    published_by: Mapped[str | None] = mapped_column(String(120))
    # Partner copies: the owner's compliance decision as received ({"decision", "decided_at"});
    # their ``checks``/``checked_at`` are the owner's automated checks. None: not sent.
    owner_review: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Partner copies: the agreement the copy arrived under.
    agreement_id: Mapped[str | None] = mapped_column(ForeignKey("agreements.id"))
    created_by: Mapped[str] = mapped_column(String(120))
    # The author's actor id: the author never reviews their own alert.
    created_by_id: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]

    distributions: Mapped[list[NoticeDistribution]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="NoticeDistribution.agency"
    )

    @property
    def type(self) -> AlertType:
        return AlertType(self.alert_type)

    @property
    def state(self) -> NoticeStatus:
        return NoticeStatus(self.status)


class NoticeReview(Base):
    """One compliance decision: never overwritten; retracting it sets ``deleted_at``."""

    __tablename__ = "notice_reviews"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    reviewer: Mapped[str] = mapped_column(String(120))
    reviewer_id: Mapped[str] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(8))
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[str | None] = mapped_column(String(120))


class NoticeDistribution(Base):
    """A partner an alert of ours was sent to, under which agreement, and where it stands."""

    __tablename__ = "notice_distributions"

    notice_id: Mapped[str] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )
    agency: Mapped[str] = mapped_column(String(24), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"))
    status: Mapped[str] = mapped_column(String(12))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class DeletionReceipt(Base):
    """A partner's word, in an envelope signed with its node key, that it erased its copy."""

    __tablename__ = "notice_deletion_receipts"
    __table_args__ = (UniqueConstraint("notice_id", "agency", name="uq_notice_deletion_receipt"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(24))
    deleted_at: Mapped[datetime]
    watchlist_entry_removed: Mapped[bool] = mapped_column(default=False)
    # The envelope that carried it: its id, the partner's signing-key fingerprint and the
    # SHA-256 of the sealed payload, all covered by the partner's Ed25519 signature.
    envelope_id: Mapped[str] = mapped_column(String(80))
    signing_key: Mapped[str] = mapped_column(String(32))
    payload_digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeSequence(Base):
    """Last number used per owner, year and letter, for public references."""

    __tablename__ = "notice_sequences"

    prefix: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
