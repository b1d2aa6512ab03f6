"""Publishing alerts to partners, and taking them back everywhere.

An alert goes to each partner whose active, in-date agreement with us covers its crime area
and allows its data category (``personal`` for people); a diffusion goes to the partners its
owner chose, all of whom must be covered. Whoever is not covered receives nothing, and the
owner is told why (``publication_note``). Withdrawal, cancellation, recall and expiry queue a
``notices.withdraw`` to every partner that holds a copy; each answers with a deletion receipt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement
from jisr.agreements.policy import Action, AgreementTerms, ResourceKind, authorize
from jisr.agreements.service import terms_between
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, JisrError, PermissionDeniedError
from jisr.federation.errors import UnknownSenderError
from jisr.federation.partners import partner_address
from jisr.federation.service import enqueue
from jisr.notices.access import load_notice, notice_resource, require_not_blocked
from jisr.notices.models import (
    AlertType,
    DistributionStatus,
    Notice,
    NoticeDistribution,
    NoticeReview,
    NoticeStatus,
    Origin,
    ReviewDecision,
)
from jisr.notices.status import move
from jisr.notices.watch import unwatch, watch
from jisr.notices.wire import (
    PUBLISH_ENVELOPE,
    UPDATE_ENVELOPE,
    WITHDRAW_ENVELOPE,
    WithdrawalKind,
    notice_payload,
)

log = structlog.get_logger("jisr.notices")


# Why a partner received nothing, as ``publication_refusals`` codes (the console words them).
REFUSAL_CODES = frozenset(
    {
        "no_agreement",  # no agreement with that partner at all
        "agreement_not_active",  # value: the agreement's status (suspended, draft...)
        "agreement_not_in_force",  # not yet valid
        "agreement_expired",
        "crime_area_out_of_scope",  # value: the alert's crime area
        "data_category_not_allowed",  # value: the alert's data category
        "partner_unknown",  # no node address for the partner
        "not_allowed",  # any other refusal by policy (its English reason in publication_note)
        "no_partners",  # we have no agreement with anyone
    }
)


def _why_not(
    session: Session, notice: Notice, partner: str, terms: Sequence[AgreementTerms], now: datetime
) -> list[dict[str, Any]]:
    """The structured reasons no agreement with ``partner`` covers ``notice`` (one per
    agreement), for the owner's console."""
    found: list[dict[str, Any]] = []
    for agreement in terms:
        code, value = "not_allowed", None
        if agreement.status != "active":
            code, value = "agreement_not_active", agreement.status
        elif now < agreement.valid_from:
            code = "agreement_not_in_force"
        elif agreement.valid_until is not None and now >= agreement.valid_until:
            code = "agreement_expired"
        elif notice.crime_area not in agreement.crime_areas:
            code, value = "crime_area_out_of_scope", notice.crime_area
        elif notice.data_category not in agreement.data_categories:
            code, value = "data_category_not_allowed", notice.data_category
        row = session.get(Agreement, agreement.id)
        found.append(
            {
                "agency": partner,
                "code": code,
                "value": value,
                "agreement_id": agreement.id,
                "agreement_title": row.title if row is not None else None,
            }
        )
    return found or [{"agency": partner, "code": "no_agreement"}]


def coverage(session: Session, actor: Actor, notice: Notice) -> tuple[dict[str, str], list[str]]:
    """Partners policy lets this alert go to (agency -> agreement id), and why the others
    may not receive it."""
    allowed, refused, _structured = explained_coverage(session, actor, notice)
    return allowed, refused


def explained_coverage(
    session: Session, actor: Actor, notice: Notice
) -> tuple[dict[str, str], list[str], list[dict[str, Any]]]:
    """`coverage`, with the reasons also as codes (``REFUSAL_CODES``) and agreement names."""
    local = notice.owner_agency
    terms = terms_between(session, local)
    partners = sorted({p for t in terms for p in t.parties} - {local})
    if notice.type is AlertType.DIFFUSION:
        partners = list(notice.recipients)
    allowed: dict[str, str] = {}
    refused: list[str] = []
    structured: list[dict[str, Any]] = []
    now = utcnow()
    for partner in partners:
        theirs = [t for t in terms if partner in t.parties]
        decision = authorize(
            actor, Action.SHARE, notice_resource(notice, partner), agreements=theirs, now=now
        )
        if not decision.allowed or decision.agreement_id is None:
            refused.append(f"{partner}: {decision.reason}")
            structured.extend(_why_not(session, notice, partner, theirs, now))
            continue
        try:
            partner_address(session, partner)
        except UnknownSenderError as exc:
            refused.append(f"{partner}: {exc.detail}")
            structured.append({"agency": partner, "code": "partner_unknown"})
            continue
        allowed[partner] = decision.agreement_id
    if not partners:
        refused.append(f"{local} has no agreement with any partner")
        structured.append({"agency": local, "code": "no_partners"})
    return allowed, refused, structured


def standing_review(session: Session, notice: Notice) -> NoticeReview | None:
    """The approval the alert stands on (the newest decision not retracted), if any."""
    return session.execute(
        select(NoticeReview)
        .where(
            NoticeReview.notice_id == notice.id,
            NoticeReview.deleted_at.is_(None),
            NoticeReview.decision == ReviewDecision.APPROVE.value,
        )
        .order_by(NoticeReview.decided_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def _send(
    session: Session, actor: Actor, notice: Notice, to: str, agreement_id: str, kind: str
) -> None:
    enqueue(
        session,
        actor,
        recipient=to,
        agreement_id=agreement_id,
        envelope_type=kind,
        payload=notice_payload(notice, standing_review(session, notice)),
        data_category=notice.data_category,
        crime_area=notice.crime_area,
        handling_code=notice.handling_code,
        resource_kind=ResourceKind.NOTICE,
    )


def publish(session: Session, actor: Actor, notice: Notice) -> Notice:
    """Publish an approved alert: on our watchlists, and queued to each covered partner."""
    require_not_blocked(session, notice)
    allowed, refused, structured = explained_coverage(session, actor, notice)
    if notice.type is AlertType.DIFFUSION and refused:
        raise PermissionDeniedError(
            "the diffusion cannot go to every recipient: " + "; ".join(refused),
            code="share_refused",
        )
    now = utcnow()
    move(notice, NoticeStatus.PUBLISHED)
    notice.published_at = notice.updated_at = now
    notice.published_by = actor.display
    notice.publication_note = ("not sent to " + "; ".join(refused)) if refused else None
    notice.publication_refusals = structured or None
    for partner, agreement_id in allowed.items():
        _send(session, actor, notice, partner, agreement_id, PUBLISH_ENVELOPE)
        notice.distributions.append(
            NoticeDistribution(
                agency=partner,
                agreement_id=agreement_id,
                status=DistributionStatus.SENT.value,
                sent_at=now,
            )
        )
    session.flush()
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "notice",
        notice.id,
        recipients=sorted(allowed),
        details={
            "event": "published",
            "reference": notice.reference,
            "version": notice.version,
            "not_sent": len(refused),
        },
    )
    watch(session, notice)
    return notice


def publish_notice(session: Session, actor: Actor, notice_id: str) -> Notice:
    """The owner publishes an alert the compliance review approved."""
    notice = load_notice(session, actor, notice_id, Action.UPDATE)
    if notice.origin != Origin.LOCAL.value:
        raise ConflictError("a partner's alert is published by its owner")
    if notice.state is not NoticeStatus.APPROVED:
        raise ConflictError(
            f"notice is {notice.status}; only an approved alert is published",
            code="notice_not_approved",
        )
    if notice.valid_until <= utcnow():
        raise ConflictError("the alert's validity has ended; extend it", code="notice_expired")
    return publish(session, actor, notice)


def send_update(session: Session, actor: Actor, notice: Notice) -> None:
    """Queue the new version to every partner holding a copy (never while blocked)."""
    require_not_blocked(session, notice)
    for distribution in notice.distributions:
        if distribution.status == DistributionStatus.SENT.value:
            _send(
                session, actor, notice, distribution.agency, distribution.agreement_id,
                UPDATE_ENVELOPE,
            )  # fmt: skip
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "notice",
        notice.id,
        recipients=[d.agency for d in notice.distributions if d.status == "sent"],
        details={"event": "update_sent", "version": notice.version},
    )


def _propagate(
    session: Session, actor: Actor, notice: Notice, kind: WithdrawalKind, reason: str
) -> list[str]:
    """Queue the withdrawal to each partner holding a copy; returns those it could not reach
    under policy (kept as sent, so a later withdrawal can try again)."""
    failed = []
    now = utcnow()
    for distribution in notice.distributions:
        if distribution.status != DistributionStatus.SENT.value:
            continue
        try:
            with session.begin_nested():
                enqueue(
                    session,
                    actor,
                    recipient=distribution.agency,
                    agreement_id=distribution.agreement_id,
                    envelope_type=WITHDRAW_ENVELOPE,
                    payload={
                        "notice_id": notice.id,
                        "reference": notice.reference,
                        "kind": kind.value,
                        "reason": reason,
                    },
                    data_category=notice.data_category,
                    crime_area=notice.crime_area,
                    handling_code=notice.handling_code,
                    resource_kind=ResourceKind.NOTICE,
                )
        except JisrError as exc:
            log.warning("withdrawal not queued", notice_id=notice.id, code=exc.code)
            failed.append(f"{distribution.agency}: {exc.detail}")
            continue
        distribution.status = DistributionStatus.WITHDRAWN.value
        distribution.withdrawn_at = now
    return failed


_CLOSING = {
    NoticeStatus.WITHDRAWN: WithdrawalKind.WITHDRAWN,
    NoticeStatus.CANCELLED: WithdrawalKind.CANCELLED,
    NoticeStatus.RECALLED: WithdrawalKind.RECALLED,
}


def close_notice(
    session: Session, actor: Actor, notice_id: str, target: NoticeStatus, reason: str
) -> Notice:
    """Withdraw, cancel or (diffusions) recall: off our watchlists, erased at every partner."""
    kind = _CLOSING[target]
    notice = load_notice(session, actor, notice_id, Action.WITHDRAW)
    if notice.origin != Origin.LOCAL.value:
        raise ConflictError("a partner's alert is withdrawn by its owner only")
    if target is NoticeStatus.RECALLED and notice.type is not AlertType.DIFFUSION:
        raise ConflictError("only diffusions are recalled", code="not_a_diffusion")
    if notice.state in {NoticeStatus.WITHDRAWN, NoticeStatus.CANCELLED, NoticeStatus.RECALLED}:
        raise ConflictError(f"notice is already {notice.status}", code="notice_closed")
    return _close(session, actor, notice, target, kind, reason)


def _close(
    session: Session,
    actor: Actor,
    notice: Notice,
    target: NoticeStatus,
    kind: WithdrawalKind,
    reason: str,
) -> Notice:
    now = utcnow()
    previous = notice.status
    move(notice, target)
    notice.status_reason = reason
    notice.closed_at = notice.updated_at = now
    unwatch(session, notice.id)
    failed = _propagate(session, actor, notice, kind, reason)
    if failed:
        notice.publication_note = "withdrawal not sent to " + "; ".join(failed)
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "notice",
        notice.id,
        justification=reason,
        recipients=[d.agency for d in notice.distributions],
        details={"event": kind.value, "from": previous, "not_reached": len(failed)},
    )
    return notice


def expire_due(
    session: Session, actor: Actor, now: datetime | None = None, *, limit: int | None = None
) -> Sequence[Notice]:
    """Alerts past their validity: ours expire everywhere; partners' copies leave our
    watchlists (the copy itself goes when its owner's withdrawal arrives). Rows are locked
    (PostgreSQL: skipping those another worker holds), so two processes never expire one
    alert twice."""
    now = now or utcnow()
    stmt = (
        select(Notice)
        .where(Notice.status == NoticeStatus.PUBLISHED.value, Notice.valid_until <= now)
        .order_by(Notice.valid_until, Notice.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    expired = list(session.execute(stmt).scalars())
    for notice in expired:
        if notice.origin == Origin.LOCAL.value and notice.owner_agency == actor.agency_code:
            _close(
                session, actor, notice, NoticeStatus.EXPIRED, WithdrawalKind.EXPIRED,
                "validity ended",
            )  # fmt: skip
        else:  # a partner's copy: off our watchlists (not a transition of ours)
            notice.status = NoticeStatus.EXPIRED.value
            notice.closed_at = now
            unwatch(session, notice.id)
            record(
                session, actor, AuditAction.ALTERATION, "notice", notice.id,
                details={"event": "expired", "origin": notice.origin},
            )  # fmt: skip
    return expired
