"""Decisions on hits: confirmed or false positive, with a reason, superseded but never edited.

Confirming a hit on a partner's alert combines our traveller data with the partner's record
(audited ``combination``), sends an urgent follow-up request to the owner through exchange
under the agreement covering the alert's crime area, and tells the owner its alert was hit
(``watchlists.hit_notice``: the notice reference and the hit time, no traveller data). Hits on
this node's own alerts or on imported lists send nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory
from jisr.agreements.policy import AgreementTerms
from jisr.agreements.service import get_agreement, terms_between
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db.superseding import supersede
from jisr.errors import ConflictError, PermissionDeniedError
from jisr.exchange.messages import send_message
from jisr.exchange.models import MessageKind, Priority
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.federation.service import enqueue
from jisr.ids import new_id
from jisr.watchlists.checks import decisions_of, load_hit
from jisr.watchlists.models import HitDecision, HitStatus, ScreeningHit, Verdict, WatchlistEntry
from jisr.watchlists.schemas import DecisionCreate, DecisionRead

HIT_NOTICE_ENVELOPE = "watchlists.hit_notice"
# Screening hits are a border matter first; any other area the agreement covers will do.
_PREFERRED_AREA = CrimeArea.BORDER_SECURITY.value


def decide(
    session: Session, actor: Actor, hit_id: str, data: DecisionCreate, *, store: BlobStore
) -> DecisionRead:
    hit, entry = load_hit(session, actor, hit_id)
    if hit.opened_at is None:
        raise ConflictError("open the hit before deciding on it", code="hit_not_opened")
    earlier = decisions_of(session, hit.id)
    already = any(d.verdict == Verdict.CONFIRMED.value for d in earlier)
    decision = HitDecision(
        id=new_id(actor.agency_code, "hitdecision"),
        hit_id=hit.id,
        verdict=data.verdict.value,
        reason=data.reason,
        decided_by=actor.display,
        decided_at=utcnow(),
    )
    previous = supersede(session, earlier, decision)
    hit.status = HitStatus(data.verdict.value).value
    session.flush()
    confirmed = data.verdict is Verdict.CONFIRMED
    record(
        session,
        actor,
        AuditAction.COMBINATION if confirmed else AuditAction.ALTERATION,
        "screening_hit",
        hit.id,
        justification=data.reason,
        details={
            "event": "decision",
            "verdict": data.verdict.value,
            "entry": entry.id,
            "supersedes": [d.id for d in previous],
        },
    )
    if confirmed and not already and _partner_alert(actor, entry):
        decision.followup_message_id = _follow_up(session, actor, hit, entry, data, store)
        _notify_owner(session, actor, hit, entry)
    return DecisionRead.model_validate(decision)


def _partner_alert(actor: Actor, entry: WatchlistEntry) -> bool:
    return entry.notice_id is not None and entry.owner_agency != actor.agency_code


def _covering(session: Session, actor: Actor, entry: WatchlistEntry) -> tuple[str, str, bool]:
    """(agreement id, crime area, personal data allowed) for a request to the entry's owner."""
    now = utcnow()
    usable: list[AgreementTerms] = [
        t
        for t in terms_between(session, actor.agency_code, entry.owner_agency)
        if t.status == AgreementStatus.ACTIVE.value
        and t.valid_from <= now
        and (t.valid_until is None or now < t.valid_until)
    ]
    wanted = [entry.crime_area] if entry.crime_area else [_PREFERRED_AREA]
    for area in wanted:
        for terms in usable:
            if area in terms.crime_areas:
                return terms.id, area, DataCategory.PERSONAL.value in terms.data_categories
    if not entry.crime_area:
        for terms in usable:
            if terms.crime_areas:
                area = sorted(terms.crime_areas)[0]
                return terms.id, area, DataCategory.PERSONAL.value in terms.data_categories
    raise PermissionDeniedError(
        f"no active agreement with {entry.owner_agency} covers this alert; "
        "the hit is recorded but no follow-up request could be sent",
        code="followup_not_covered",
    )


def _follow_up(
    session: Session,
    actor: Actor,
    hit: ScreeningHit,
    entry: WatchlistEntry,
    data: DecisionCreate,
    store: BlobStore,
) -> str:
    agreement_id, area, personal = _covering(session, actor, entry)
    lines = [
        f"A traveller screened at {hit.screened_at:%Y-%m-%d %H:%M} UTC was confirmed as a hit "
        f"on your alert {entry.reference} ({entry.alert_type}); score {hit.score:.2f}.",
        f"Officer's reason: {data.reason}",
    ]
    if personal:
        traveller = {k: v for k, v in hit.query.items() if v and k != "id"}
        facts = "; ".join(f"{k}={v}" for k, v in traveller.items())
        lines.append(f"Traveller as screened: {facts}")
    lines.append("Please confirm the alert is still valid and state the action requested.")
    message = send_message(
        session,
        actor,
        MessageCreate(
            kind=MessageKind.REQUEST,
            priority=Priority.URGENT,
            to=entry.owner_agency,
            agreement=get_agreement(session, agreement_id).reference,
            subject=f"Screening hit on {entry.reference}"[:300],
            body="\n".join(lines),
            crime_area=area,
            data_category=DataCategory.PERSONAL if personal else DataCategory.OPERATIONAL,
            purpose="Follow-up of a confirmed screening hit on a partner's alert",
        ),
        store=store,
    )
    return message.id


def _notify_owner(session: Session, actor: Actor, hit: ScreeningHit, entry: WatchlistEntry) -> None:
    agreement_id, area, _personal = _covering(session, actor, entry)
    agreement = get_agreement(session, agreement_id)
    enqueue(
        session,
        system_actor(actor.agency_code),
        recipient=entry.owner_agency,
        agreement_id=agreement.id,
        envelope_type=HIT_NOTICE_ENVELOPE,
        payload={
            "notice_id": entry.notice_id,
            "reference": entry.reference,
            "verdict": Verdict.CONFIRMED.value,
            "hit_at": hit.screened_at.isoformat(),
        },
        data_category=DataCategory.OPERATIONAL.value,
        crime_area=area,
        handling_code=agreement.default_handling,
    )
