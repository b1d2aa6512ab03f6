"""Certificates: issued (signed by this node's Ed25519 key) to officers who attended, sent to
the holder's agency, verified by anyone holding the provider's public key, revoked through a
signed revocation list that partners receive by envelope or fetch from the provider."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action
from jisr.agreements.service import require, terms_between
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, NotFoundError, UnavailableError, ValidationError
from jisr.identity.models import Agency
from jisr.training import credentials
from jisr.training.credentials import OB3_CONTEXT, VC_CONTEXT, Verification
from jisr.training.models import Certificate, Course, Enrolment, EnrolmentStatus, RevocationList
from jisr.training.service import AREA, course_resource, load_course, send_training
from jisr.training.signing import KeyLookup, Signer

CERTIFICATE_ENVELOPE = "training.certificate"
REVOCATIONS_ENVELOPE = "training.revocations"


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def build_credential(
    course: Course, enrolment: Enrolment, certificate_id: str, issuer_name: str, signer: Signer
) -> dict[str, Any]:
    issued = utcnow().replace(microsecond=0)
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": f"urn:jisr:{certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": f"urn:jisr:agency:{course.provider_agency}",
            "type": ["Profile"],
            "name": issuer_name,
        },
        "name": course.title,
        "validFrom": _iso(issued),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": enrolment.person_name,
            "affiliation": f"urn:jisr:agency:{enrolment.agency_code}",
            "achievement": {
                "id": f"urn:jisr:{course.id}",
                "type": ["Achievement"],
                "name": course.title,
                "description": course.subject,
                "criteria": {
                    "narrative": (
                        f"Attended {course.title} ({_iso(course.starts_at)[:10]} to "
                        f"{_iso(course.ends_at)[:10]}) given by {course.provider_agency}."
                    )
                },
            },
        },
        "credentialStatus": {
            "id": f"urn:jisr:{course.provider_agency}:revocations#{certificate_id}",
            "type": "JisrRevocationList",
            "statusListCredential": f"urn:jisr:{course.provider_agency}:revocations",
        },
    }
    if course.certificate_validity_days:
        until = issued + timedelta(days=course.certificate_validity_days)
        document["validUntil"] = _iso(until)
    return credentials.sign_document(document, signer.key, signer.verification_method, _iso(issued))


def issue_certificates(
    session: Session, actor: Actor, course_id: str, signer: Signer
) -> list[Certificate]:
    """A certificate for every officer marked present who has none yet; each is sent to the
    holder's agency (its own officers' stay here)."""
    course = load_course(session, actor, course_id)
    require(session, actor, Action.UPDATE, course_resource(course))
    local = session.get(Agency, actor.agency_code)
    issuer_name = local.name_en if local is not None else actor.agency_code
    attended = session.execute(
        select(Enrolment)
        .where(
            Enrolment.course_id == course.id,
            Enrolment.status == EnrolmentStatus.ATTENDED.value,
            ~Enrolment.id.in_(
                select(Certificate.enrolment_id).where(Certificate.enrolment_id.is_not(None))
            ),
        )
        .order_by(Enrolment.id)
    ).scalars()
    issued = []
    for enrolment in attended:
        certificate_id = f"{actor.agency_code}:certificate:{enrolment.id.rsplit(':', 1)[-1]}"
        document = build_credential(course, enrolment, certificate_id, issuer_name, signer)
        certificate = Certificate(
            id=certificate_id,
            course_id=course.id,
            enrolment_id=enrolment.id,
            issuer_agency=actor.agency_code,
            holder_name=enrolment.person_name,
            holder_agency=enrolment.agency_code,
            issued_at=utcnow(),
            expires_at=_expiry(document),
            document=document,
        )
        session.add(certificate)
        issued.append(certificate)
        record(
            session,
            actor,
            AuditAction.COLLECTION,
            "certificate",
            certificate.id,
            recipients=[enrolment.agency_code],
            details={"event": "issued", "course": course.id},
        )
        if enrolment.agency_code != actor.agency_code:
            send_training(
                session,
                actor,
                enrolment.agency_code,
                CERTIFICATE_ENVELOPE,
                {"certificate_id": certificate.id, "course_id": course.id, "document": document},
            )
    session.flush()
    return issued


def _parse(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _expiry(document: Mapping[str, Any]) -> datetime | None:
    return _parse(document.get("validUntil"))


def get_certificate(session: Session, actor: Actor, certificate_id: str) -> Certificate:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFoundError(f"no certificate {certificate_id}", code="certificate_not_found")
    course = session.get(Course, certificate.course_id)
    if course is not None:
        require(session, actor, Action.READ, course_resource(course))
    elif certificate.holder_agency != actor.agency_code:
        raise NotFoundError(f"no certificate {certificate_id}", code="certificate_not_found")
    record(session, actor, AuditAction.CONSULTATION, "certificate", certificate.id)
    return certificate


def list_certificates(session: Session, actor: Actor, course_id: str) -> list[Certificate]:
    course = load_course(session, actor, course_id)
    stmt = select(Certificate).where(Certificate.course_id == course.id)
    if actor.agency_code != course.provider_agency:
        stmt = stmt.where(Certificate.holder_agency == actor.agency_code)
    return list(session.execute(stmt.order_by(Certificate.id)).scalars())


def revocation_list(session: Session, signer: Signer) -> dict[str, Any]:
    """This node's newest signed revocation list (an empty one the first time)."""
    row = session.get(RevocationList, signer.agency_code)
    if row is None:
        row = _sign_list(session, signer)
    return dict(row.document)


def _sign_list(session: Session, signer: Signer) -> RevocationList:
    # Microseconds kept: two lists signed within a second must still be told apart.
    now = utcnow()
    revoked = session.execute(
        select(Certificate.id, Certificate.revoked_at)
        .where(Certificate.issuer_agency == signer.agency_code, Certificate.revoked_at.is_not(None))
        .order_by(Certificate.id)
    ).all()
    document = {
        "@context": [VC_CONTEXT],
        "id": f"urn:jisr:{signer.agency_code}:revocations",
        "type": ["VerifiableCredential", "JisrRevocationListCredential"],
        "issuer": {"id": f"urn:jisr:agency:{signer.agency_code}"},
        "validFrom": _iso(now),
        "credentialSubject": {
            "type": "JisrRevocationList",
            "revoked": [
                {"id": f"urn:jisr:{cid}", "revokedAt": _iso(at) if at else ""}
                for cid, at in revoked
            ],
        },
    }
    signed = credentials.sign_document(document, signer.key, signer.verification_method, _iso(now))
    row = session.get(RevocationList, signer.agency_code)
    if row is None:
        row = RevocationList(issuer_agency=signer.agency_code, issued_at=now, document=signed)
        session.add(row)
    else:
        row.issued_at, row.document = now, signed
    session.flush()
    return row


def revoke_certificate(
    session: Session, actor: Actor, certificate_id: str, reason: str, signer: Signer
) -> Certificate:
    """Revoke one of this node's certificates; the new signed list goes to every partner that
    has an agreement covering training with us."""
    certificate = session.get(Certificate, certificate_id)
    if certificate is None or certificate.issuer_agency != actor.agency_code:
        raise NotFoundError(
            f"no certificate {certificate_id} issued here", code="certificate_not_found"
        )
    course = load_course(session, actor, certificate.course_id)
    require(session, actor, Action.UPDATE, course_resource(course))
    if certificate.revoked_at is not None:
        raise ConflictError("certificate already revoked", code="certificate_revoked")
    certificate.revoked_at = utcnow()
    certificate.revocation_reason = reason
    session.flush()
    listing = _sign_list(session, signer)
    record(
        session,
        actor,
        AuditAction.ALTERATION,
        "certificate",
        certificate.id,
        justification=reason,
        details={"event": "revoked"},
    )
    for partner in _training_partners(session, actor.agency_code):
        send_training(session, actor, partner, REVOCATIONS_ENVELOPE, {"document": listing.document})
    return certificate


def _training_partners(session: Session, local: str) -> list[str]:
    partners = session.execute(
        select(Agency.code).where(Agency.is_local.is_(False), Agency.encryption_key.is_not(None))
    ).scalars()
    now = utcnow()
    found = []
    for code in partners:
        for terms in terms_between(session, local, code):
            in_force = terms.status == "active" and terms.valid_from <= now
            if in_force and AREA in terms.crime_areas and "training" in terms.data_categories:
                found.append(code)
                break
    return sorted(found)


def store_revocation_list(
    session: Session, issuer: str, document: Mapping[str, Any], keys: KeyLookup
) -> bool:
    """Keep a partner's signed revocation list if its proof holds and it is newer."""
    if credentials.issuer_of(document) != issuer:
        raise ValidationError("revocation list of another issuer", code="revocations_invalid")
    key = keys(issuer, credentials.key_fingerprint_of(document))
    if key is None or credentials.check_proof(document, key) is not None:
        raise ValidationError(
            "revocation list signature does not verify", code="revocations_invalid"
        )
    issued = _parse(document.get("validFrom"))
    if issued is None:
        raise ValidationError("revocation list without a date", code="revocations_invalid")
    row = session.get(RevocationList, issuer)
    if row is not None and issued is not None and row.issued_at >= issued:
        return False
    if row is None:
        session.add(RevocationList(issuer_agency=issuer, issued_at=issued, document=dict(document)))
    else:
        row.issued_at, row.document = issued, dict(document)
    session.flush()
    return True


def verify(
    session: Session, actor: Actor, document: Mapping[str, Any], keys: KeyLookup
) -> Verification:
    """Verify a certificate with the pinned keys and the newest revocation list held here."""
    issuer = credentials.issuer_of(document) or ""
    listing = session.get(RevocationList, issuer) if issuer else None
    list_key = keys(issuer, credentials.key_fingerprint_of(listing.document)) if listing else None
    revoked = credentials.revoked_ids(listing.document if listing else None, list_key)
    result = credentials.verify_credential(document, keys, revoked=revoked, now=utcnow())
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "certificate",
        result.credential_id,
        details={"event": "verified", "issuer": issuer, "result": result.code},
    )
    return result


def refresh_revocations(
    session: Session, actor: Actor, issuer: str, keys: KeyLookup, timeout: float = 5.0
) -> bool:
    """Fetch an issuer's signed revocation list from its node (for partners no agreement on
    training links to it, so no list is pushed); kept only if its proof holds and it is newer."""
    agency = session.get(Agency, issuer)
    if agency is None or agency.is_local or not agency.endpoint_url:
        raise NotFoundError(f"{issuer} is not a partner with an address", code="partner_unknown")
    url = f"{agency.endpoint_url.rstrip('/')}/api/v1/courses/revocations"
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise UnavailableError(f"cannot fetch {issuer}'s revocation list: {exc}") from None
    if not isinstance(document, dict):
        raise ValidationError("revocation list is not a JSON object", code="revocations_invalid")
    changed = store_revocation_list(session, issuer, document, keys)
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "revocation_list",
        issuer,
        details={"event": "fetched", "newer": changed},
    )
    return changed
