"""Agreement services and the policy entry point every domain calls."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from jisr.actors import Actor
from jisr.agreements.models import Agreement, AgreementParty, AgreementStatus
from jisr.agreements.parties import Agency
from jisr.agreements.policy import (
    Action,
    AgreementTerms,
    Decision,
    Resource,
    ResourceKind,
    Visibility,
    authorize,
    visible,
)
from jisr.agreements.schemas import AgreementCreate, AgreementRead
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from jisr.ids import new_id


def effective_status(agreement: Agreement) -> AgreementStatus:
    """The stored status, except that an agreement past its end date is expired."""
    if agreement.valid_until is not None and agreement.valid_until <= utcnow():
        return AgreementStatus.EXPIRED
    return AgreementStatus(agreement.status)


def to_terms(agreement: Agreement) -> AgreementTerms:
    return AgreementTerms(
        id=agreement.id,
        parties=frozenset(agreement.party_codes),
        status=effective_status(agreement).value,
        crime_areas=frozenset(agreement.crime_areas),
        data_categories=frozenset(agreement.data_categories),
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
    )


def terms_between(session: Session, *agencies: str) -> list[AgreementTerms]:
    """Every agreement having all of ``agencies`` as parties."""
    stmt = select(Agreement)
    for code in agencies:
        stmt = stmt.where(
            Agreement.id.in_(
                select(AgreementParty.agreement_id).where(AgreementParty.agency_code == code)
            )
        )
    return [to_terms(a) for a in session.execute(stmt.order_by(Agreement.id)).scalars()]


def check(session: Session, actor: Actor, action: Action, resource: Resource) -> Decision:
    """Ask policy, loading the agreements that could cover this act."""
    others = {resource.owner_agency, resource.recipient_agency} - {None, actor.agency_code}
    agencies = [actor.agency_code, *sorted(a for a in others if a)]
    agreements = terms_between(session, *agencies) if len(agencies) > 1 else []
    return authorize(actor, action, resource, agreements=agreements, now=utcnow())


def visible_to(session: Session, actor: Actor, kind: ResourceKind) -> Visibility:
    """The records of ``kind`` policy lets ``actor`` read, for a listing's query (one
    agreements query, not one per row)."""
    return visible(actor, kind, agreements=terms_between(session, actor.agency_code), now=utcnow())


def require(session: Session, actor: Actor, action: Action, resource: Resource) -> Decision:
    """``check``, raising PermissionDeniedError with the policy's reason when refused."""
    decision = check(session, actor, action, resource)
    if not decision.allowed:
        raise PermissionDeniedError(decision.reason)
    return decision


def _administer(session: Session, actor: Actor) -> None:
    require(session, actor, Action.ADMINISTER, Resource(ResourceKind.AGREEMENT, actor.agency_code))


def create_agreement(session: Session, actor: Actor, data: AgreementCreate) -> Agreement:
    _administer(session, actor)
    if actor.agency_code not in data.parties:
        raise ValidationError("this node's agency must be a party", code="agreement_not_party")
    known = set(session.execute(select(Agency.code).where(Agency.code.in_(data.parties))).scalars())
    missing = sorted(set(data.parties) - known)
    if missing:
        raise ValidationError(
            f"unknown agency: {', '.join(missing)}; add it first", code="agency_unknown"
        )
    if session.execute(select(Agreement.id).where(Agreement.reference == data.reference)).first():
        raise ConflictError(f"agreement {data.reference} exists", code="agreement_exists")
    agreement = Agreement(
        id=new_id(actor.agency_code, "agreement"),
        reference=data.reference,
        title=data.title,
        status=data.status.value,
        crime_areas=sorted(a.value for a in data.crime_areas),
        data_categories=sorted(c.value for c in data.data_categories),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        default_handling=data.default_handling.value,
        legal_basis=data.legal_basis,
        created_by=actor.display,
        parties=[AgreementParty(agency_code=code) for code in data.parties],
    )
    session.add(agreement)
    session.flush()
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "agreement",
        agreement.id,
        details={"event": "created", "reference": data.reference, "status": agreement.status},
    )
    return agreement


def get_agreement(session: Session, key: str) -> Agreement:
    """By id or by reference."""
    # One query whichever of the two ``key`` is (ids and references never collide: ids are
    # "<agency>:agreement:<ulid>").
    agreement = (
        session.execute(
            select(Agreement)
            .where(or_(Agreement.id == key, Agreement.reference == key))
            .options(joinedload(Agreement.parties))
        )
        .unique()
        .scalar_one_or_none()
    )
    if agreement is None:
        raise NotFoundError(f"no agreement {key}", code="agreement_not_found")
    return agreement


def list_agreements(session: Session) -> Sequence[Agreement]:
    return session.execute(select(Agreement).order_by(Agreement.reference)).scalars().all()


_TRANSITIONS = {
    AgreementStatus.ACTIVE: {AgreementStatus.DRAFT, AgreementStatus.SUSPENDED},
    AgreementStatus.SUSPENDED: {AgreementStatus.ACTIVE},
}


def change_status(
    session: Session, actor: Actor, key: str, target: AgreementStatus, reason: str
) -> Agreement:
    """Activate, suspend or resume. Suspension holds traffic; it never deletes anything."""
    _administer(session, actor)
    agreement = get_agreement(session, key)
    current = effective_status(agreement)
    if current not in _TRANSITIONS.get(target, set()):
        raise ConflictError(
            f"agreement {agreement.reference} is {current.value}; cannot become {target.value}",
            code="agreement_transition_invalid",
        )
    agreement.status = target.value
    agreement.updated_at = utcnow()
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "agreement",
        agreement.id,
        justification=reason,
        details={"event": "status", "from": current.value, "to": target.value},
    )
    return agreement


def to_read(agreement: Agreement) -> AgreementRead:
    return AgreementRead(
        id=agreement.id,
        reference=agreement.reference,
        title=agreement.title,
        status=effective_status(agreement),
        parties=agreement.party_codes,
        crime_areas=agreement.crime_areas,
        data_categories=agreement.data_categories,
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        default_handling=agreement.default_handling,
        legal_basis=agreement.legal_basis,
        created_at=agreement.created_at,
    )
