"""Training API: courses, nominations, attendance, evaluations, certificates, verification,
the signed revocation list (public: it names certificate ids only) and the annual report."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from jisr.api.context import AppContext
from jisr.api.deps import ContextDep, CurrentActor, SessionDep
from jisr.training import certificates, reports, service
from jisr.training.schemas import (
    AttendanceUpdate,
    CertificateRead,
    CourseCreate,
    CourseRead,
    EnrolmentCreate,
    EnrolmentRead,
    EvaluationCreate,
    RevocationCreate,
    TrainingReport,
    VerificationRead,
)
from jisr.training.signing import Signer, key_lookup, node_signer

router = APIRouter(tags=["training"])
RECORD_ID = r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z_]+:[0-9A-Z]{1,40}$"
RecordId = Annotated[str, Path(pattern=RECORD_ID, max_length=80)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such record"},
    409: {"description": "Conflicting state"},
    422: {"description": "Invalid input"},
}


def signer_of(ctx: AppContext) -> Signer:
    """This node's certificate signer, read from its key files (a few milliseconds; only
    issuing, revoking and verifying use it, so it is not kept on the app)."""
    return node_signer(ctx.settings, ctx.agency_code)


def _certificate(certificate: Any) -> CertificateRead:
    return CertificateRead.model_validate(certificate, from_attributes=True)


@router.post("/courses", response_model=CourseRead, status_code=201, responses=_ERRORS)
def create_course(body: CourseCreate, session: SessionDep, actor: CurrentActor) -> CourseRead:
    """Offer a course (seats per partner); each partner offered seats receives it."""
    return service.course_read(session, service.create_course(session, actor, body))


@router.get("/courses", response_model=list[CourseRead], responses=_ERRORS)
def list_courses(session: SessionDep, actor: CurrentActor) -> list[CourseRead]:
    return [service.course_read(session, c) for c in service.list_courses(session, actor)]


@router.get("/courses/report", response_model=TrainingReport, responses=_ERRORS)
def annual_report(
    session: SessionDep, actor: CurrentActor, year: Annotated[int, Query(ge=2000, le=2100)]
) -> TrainingReport:
    """Per partner: courses, officers nominated and present, certificates, evaluations."""
    return reports.annual_report(session, actor, year)


@router.get("/courses/revocations", responses={})
def revocations(session: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """This node's signed revocation list (certificate ids only), for partners to fetch."""
    return certificates.revocation_list(session, signer_of(ctx))


@router.post("/courses/revocations/{issuer}/refresh", responses=_ERRORS)
def refresh_revocations(
    issuer: Annotated[str, Path(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}$")],
    session: SessionDep,
    actor: CurrentActor,
    ctx: ContextDep,
) -> dict[str, bool]:
    """Fetch a partner's signed revocation list from its node now."""
    keys = key_lookup(session, signer_of(ctx))
    return {"newer": certificates.refresh_revocations(session, actor, issuer, keys)}


@router.post("/courses/certificates/verify", response_model=VerificationRead, responses=_ERRORS)
def verify(
    body: dict[str, Any], session: SessionDep, actor: CurrentActor, ctx: ContextDep
) -> VerificationRead:
    """Verify a certificate with the issuer's pinned key and its newest revocation list."""
    result = certificates.verify(session, actor, body, key_lookup(session, signer_of(ctx)))
    return VerificationRead(
        valid=result.valid,
        code=result.code,
        reason=result.reason,
        credential_id=result.credential_id,
        issuer=result.issuer,
    )


@router.get("/courses/{course_id}", response_model=CourseRead, responses=_ERRORS)
def read_course(course_id: RecordId, session: SessionDep, actor: CurrentActor) -> CourseRead:
    return service.course_read(session, service.load_course(session, actor, course_id))


@router.post(
    "/courses/{course_id}/enrolments",
    response_model=EnrolmentRead,
    status_code=201,
    responses=_ERRORS,
)
def nominate(
    course_id: RecordId, body: EnrolmentCreate, session: SessionDep, actor: CurrentActor
) -> EnrolmentRead:
    """Nominate one of your officers (a partner's course hears of it by envelope)."""
    return service.enrolment_read(session, service.nominate(session, actor, course_id, body))


@router.get(
    "/courses/{course_id}/enrolments", response_model=list[EnrolmentRead], responses=_ERRORS
)
def enrolments(
    course_id: RecordId, session: SessionDep, actor: CurrentActor
) -> list[EnrolmentRead]:
    rows = service.enrolments_of(session, actor, course_id)
    return [service.enrolment_read(session, e) for e in rows]


@router.post(
    "/enrolments/{enrolment_id}/attendance", response_model=EnrolmentRead, responses=_ERRORS
)
def attendance(
    enrolment_id: RecordId, body: AttendanceUpdate, session: SessionDep, actor: CurrentActor
) -> EnrolmentRead:
    enrolment = service.record_attendance(session, actor, enrolment_id, body.attended)
    return service.enrolment_read(session, enrolment)


@router.post(
    "/enrolments/{enrolment_id}/evaluation", response_model=EnrolmentRead, responses=_ERRORS
)
def evaluation(
    enrolment_id: RecordId, body: EvaluationCreate, session: SessionDep, actor: CurrentActor
) -> EnrolmentRead:
    enrolment = service.record_evaluation(session, actor, enrolment_id, body)
    return service.enrolment_read(session, enrolment)


@router.post(
    "/courses/{course_id}/certificates",
    response_model=list[CertificateRead],
    status_code=201,
    responses=_ERRORS,
)
def issue(
    course_id: RecordId, session: SessionDep, actor: CurrentActor, ctx: ContextDep
) -> list[CertificateRead]:
    """Issue signed certificates to every officer marked present who has none yet."""
    issued = certificates.issue_certificates(session, actor, course_id, signer_of(ctx))
    return [_certificate(c) for c in issued]


@router.get(
    "/courses/{course_id}/certificates", response_model=list[CertificateRead], responses=_ERRORS
)
def list_certificates(
    course_id: RecordId, session: SessionDep, actor: CurrentActor
) -> list[CertificateRead]:
    return [_certificate(c) for c in certificates.list_certificates(session, actor, course_id)]


@router.get("/certificates/{certificate_id}", responses=_ERRORS, response_class=Response)
def certificate_file(
    certificate_id: RecordId, session: SessionDep, actor: CurrentActor
) -> Response:
    """The signed credential as a JSON file (verifiable offline)."""
    certificate = certificates.get_certificate(session, actor, certificate_id)
    body = json.dumps(certificate.document, ensure_ascii=False, indent=2)
    return Response(body, media_type="application/vc+json")


@router.post(
    "/certificates/{certificate_id}/revoke", response_model=CertificateRead, responses=_ERRORS
)
def revoke(
    certificate_id: RecordId,
    body: RevocationCreate,
    session: SessionDep,
    actor: CurrentActor,
    ctx: ContextDep,
) -> CertificateRead:
    """Revoke a certificate; the signed revocation list goes to partners."""
    certificate = certificates.revoke_certificate(
        session, actor, certificate_id, body.reason, signer_of(ctx)
    )
    return _certificate(certificate)
