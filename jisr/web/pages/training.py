"""Joint training in the console: the courses, a form to offer one (seats per partner), a
course's page (enrol officers, record attendance, issue certificates), a certificate's page
(download the signed file, revoke it with a reason) and verifying an uploaded certificate.

Every form writes through the training services the API calls, as the signed-in officer: they
decide through policy and audit. A form is shown only to those policy lets act (``may_*``
below ask it); a refusal the form can explain is shown beside its field with what was typed,
anything else is the console's error page.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jisr.agreements.models import Agreement, AgreementParty, AgreementStatus
from jisr.agreements.policy import Action, Resource, ResourceKind, roles_reading
from jisr.agreements.service import check, require
from jisr.api.deps import ContextDep, SessionDep
from jisr.errors import JisrError, PermissionDeniedError
from jisr.reports import documents
from jisr.training import certificates, service
from jisr.training.credentials import VerificationCode, credential_in_pdf
from jisr.training.models import Course, EnrolmentStatus
from jisr.training.schemas import CourseCreate, EnrolmentCreate
from jisr.training.signing import key_lookup, node_signer
from jisr.web.errors import console_router, redirect
from jisr.web.forms import (
    CsrfForm,
    filled_in,
    form_key_for,
    form_once,
    form_values,
    refusal,
    validate,
)
from jisr.web.i18n import N_, ngettext_lazy, pgettext_lazy
from jisr.web.pages.operations_forms import utc
from jisr.web.registry import NavItem
from jisr.web.templating import render, request_language, set_flash
from jisr.web.viewer import Viewer, record_view, viewer_with

ROLES = tuple(sorted(roles_reading(ResourceKind.TRAINING)))
router = console_router()
NAV = (NavItem(N_("Training"), "/training", roles=frozenset(ROLES)),)
TrainingViewer = Annotated[Viewer, Depends(viewer_with(*ROLES))]
RECORD_ID = r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z_]+:[0-9A-Z]{1,40}$"
RecordId = Annotated[str, Path(pattern=RECORD_ID, max_length=80)]
# The largest certificate file the verify form reads (a signed credential is a few KiB, its
# printed PDF with fonts some hundred; the node's body limit is 1 MiB).
MAX_CERTIFICATE_BYTES = 900 * 1024

STATUS_LABELS = {
    EnrolmentStatus.NOMINATED.value: pgettext_lazy("enrolment", "Nominated"),
    EnrolmentStatus.ATTENDED.value: pgettext_lazy("enrolment", "Attended"),
    EnrolmentStatus.ABSENT.value: pgettext_lazy("enrolment", "Absent"),
}
STATUS_TONES = {"nominated": "info", "attended": "good", "absent": "neutral"}
# Why a certificate does or does not verify, by the verifier's code (msgids).
VERIFICATION_MESSAGES = {
    VerificationCode.VALID: N_("Valid: the signature of its issuer holds."),
    VerificationCode.MALFORMED: N_("This file is not a Jisr certificate, or it is damaged."),
    VerificationCode.NO_PROOF: N_("The file carries no signature."),
    VerificationCode.UNKNOWN_ISSUER: N_(
        "The issuer is not a partner whose signing key this node holds."
    ),
    VerificationCode.BAD_SIGNATURE: N_(
        "The signature does not match: the file was altered, or not signed by its issuer."
    ),
    VerificationCode.NOT_YET_VALID: N_("The certificate is not valid yet."),
    VerificationCode.EXPIRED: N_("The certificate has expired."),
    VerificationCode.REVOKED: N_("Its issuer has revoked this certificate."),
}
# Domain refusals of the training services, by code, as msgids; and the field they concern.
REFUSALS = {
    "no_seat": N_("Your agency has no free seat left on this course."),
    "already_enrolled": N_("This officer is already enrolled on the course."),
    "certificate_revoked": N_("This certificate is revoked already."),
}
REFUSAL_FIELDS = {"no_seat": "person_name", "already_enrolled": "person_name"}
SEATS_INVALID = N_("Enter a whole number of seats, from 0 to 10000.")
ENDS_BEFORE_START = N_("The end comes after the start.")
NO_FILE = N_("Choose the certificate file (JSON or PDF).")


def _own(viewer: Viewer) -> Resource:
    return Resource(
        ResourceKind.TRAINING,
        viewer.actor.agency_code,
        service.AREA,
        service.CATEGORY,
        service.HANDLING,
    )


def may_create(session: Session, viewer: Viewer) -> bool:
    """Whether policy lets the viewer offer courses and nominate officers for their agency."""
    return check(session, viewer.actor, Action.CREATE, _own(viewer)).allowed


def may_run(session: Session, viewer: Viewer, course: Course) -> bool:
    """Attendance, certificates and revocation are the provider's."""
    resource = service.course_resource(course)
    return check(session, viewer.actor, Action.UPDATE, resource).allowed


def may_nominate(session: Session, viewer: Viewer, course: Course) -> bool:
    agency = viewer.actor.agency_code
    offered = agency == course.provider_agency or int(course.seats.get(agency, 0)) > 0
    return offered and may_create(session, viewer)


def training_partners(session: Session, agency: str) -> list[str]:
    """Partners of an active agreement of ``agency`` that covers training: they can be offered
    seats (the service announces the course to each of them)."""
    agreements = session.execute(
        select(Agreement).where(
            Agreement.status == AgreementStatus.ACTIVE.value,
            Agreement.id.in_(
                select(AgreementParty.agreement_id).where(AgreementParty.agency_code == agency)
            ),
        )
    ).scalars()
    return sorted(
        {
            code
            for a in agreements
            if service.AREA in a.crime_areas and service.CATEGORY in a.data_categories
            for code in a.party_codes
            if code != agency
        }
    )


@router.get("/training")
def courses(request: Request, session: SessionDep, viewer: TrainingViewer) -> Response:
    rows = [service.course_read(session, c) for c in service.list_courses(session, viewer.actor)]
    record_view(session, viewer, "course", None, count=len(rows))
    context = {"courses": rows, "may_create": may_create(session, viewer)}
    return render(request, "training/index.html", context)


class CourseFields(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=300)
    subject: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    location: str | None = Field(default=None, max_length=300)
    starts_at: datetime
    ends_at: datetime
    certificate_validity_days: int = Field(default=0, ge=0, le=36_500)


def _parse_course(
    values: dict[str, Any], partners: list[str]
) -> tuple[CourseCreate | None, dict[str, str]]:
    fields, errors = validate(CourseFields, filled_in(values))
    seats: dict[str, int] = {}
    for code in partners:
        typed = str(values.get(f"seats_{code}") or "").strip()
        if not typed:
            continue
        if not typed.isdigit() or int(typed) > 10_000:
            errors[f"seats_{code}"] = SEATS_INVALID
            continue
        if int(typed):
            seats[code] = int(typed)
    if fields is None or errors:
        return None, errors
    if fields.ends_at < fields.starts_at:
        return None, {"ends_at": ENDS_BEFORE_START}
    data = CourseCreate(
        title=fields.title,
        subject=fields.subject,
        description=fields.description or "",
        location=fields.location or "",
        starts_at=utc(fields.starts_at),
        ends_at=utc(fields.ends_at),
        seats=seats,
        certificate_validity_days=fields.certificate_validity_days,
    )
    return data, {}


def _show_new(
    request: Request,
    session: Session,
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "partners": training_partners(session, viewer.actor.agency_code),
        "provider": viewer.actor.agency_code,
        "form_key": form_key_for(viewer, "training.new"),
    }
    return render(request, "training/new.html", context, status_code=status_code)


@router.get("/training/new")
def new_course(request: Request, session: SessionDep, viewer: TrainingViewer) -> Response:
    if not may_create(session, viewer):
        raise PermissionDeniedError("offering a course needs the trainer role")
    return _show_new(request, session, viewer, {"certificate_validity_days": "0"}, {})


@router.post("/training/new")
async def create_course(request: Request, session: SessionDep, viewer: CsrfForm) -> Response:
    form = await request.form()
    once = form_once("training.new", form)
    first = once.first_result(session, viewer)
    if first is not None:
        return redirect(request, first.location or "/training")
    typed = form_values(form)
    data, errors = _parse_course(typed, training_partners(session, viewer.actor.agency_code))
    if data is None:
        return _show_new(request, session, viewer, typed, errors, status_code=422)
    course = service.create_course(session, viewer.actor, data)
    location = f"/training/{course.id}"
    twin = once.remember_result(session, viewer, course.id, location)
    response = redirect(request, (twin.location if twin else None) or location)
    set_flash(response, request, N_("The course is offered and sent to the partners."))
    return response


@router.get("/training/verify")
def verify_form(request: Request, viewer: TrainingViewer) -> Response:
    return render(request, "training/verify.html", {"errors": {}, "result": None})


async def _uploaded(request: Request) -> tuple[dict[str, Any] | None, str | None]:
    """The uploaded certificate as a JSON object, or (None, why not: a msgid)."""
    form = await request.form()
    upload = form.get("certificate")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, NO_FILE
    raw = await upload.read(MAX_CERTIFICATE_BYTES + 1)
    if len(raw) > MAX_CERTIFICATE_BYTES:
        return None, VERIFICATION_MESSAGES[VerificationCode.MALFORMED]
    if raw.startswith(b"%PDF"):
        printed = credential_in_pdf(raw)
        if printed is None:
            return None, VERIFICATION_MESSAGES[VerificationCode.MALFORMED]
        return printed, None
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, VERIFICATION_MESSAGES[VerificationCode.MALFORMED]
    if not isinstance(document, dict):
        return None, VERIFICATION_MESSAGES[VerificationCode.MALFORMED]
    return document, None


@router.post("/training/verify")
async def verify(
    request: Request, session: SessionDep, viewer: CsrfForm, ctx: ContextDep
) -> Response:
    """Verify a certificate file with the issuer's pinned key and its newest revocation list
    (the service the API and ``jisr training verify --data-dir`` use)."""
    if not viewer.has_role(*ROLES):
        raise PermissionDeniedError(f"this page needs one of the roles: {', '.join(ROLES)}")
    document, problem = await _uploaded(request)
    if document is None:
        errors = {"certificate": problem or NO_FILE}
        return render(
            request, "training/verify.html", {"errors": errors, "result": None}, status_code=422
        )
    keys = key_lookup(session, node_signer(ctx.settings, ctx.agency_code))
    result = certificates.verify(session, viewer.actor, document, keys)
    message = VERIFICATION_MESSAGES.get(result.code, VERIFICATION_MESSAGES["malformed"])
    subject = document.get("credentialSubject")
    context: dict[str, Any] = {
        "errors": {},
        "result": result,
        "message": message,
        "holder": subject.get("name") if isinstance(subject, dict) else None,
        "course_name": document.get("name"),
    }
    return render(request, "training/verify.html", context)


def _certificate_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    certificate_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    certificate = certificates.get_certificate(session, viewer.actor, certificate_id)
    course = session.get(Course, certificate.course_id)
    issuer = certificate.issuer_agency == viewer.actor.agency_code
    context = {
        "certificate": certificate,
        "course": course,
        "may_revoke": issuer
        and course is not None
        and certificate.revoked_at is None
        and may_run(session, viewer, course),
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "training/certificate.html", context, status_code=422 if errors else 200)


@router.get("/training/certificates/{certificate_id}")
def certificate_page(
    request: Request, certificate_id: RecordId, session: SessionDep, viewer: TrainingViewer
) -> Response:
    return _certificate_page(request, session, viewer, certificate_id)


@router.get("/training/certificates/{certificate_id}/file")
def certificate_file(
    certificate_id: RecordId, session: SessionDep, viewer: TrainingViewer
) -> Response:
    """The signed credential as a JSON file, verifiable offline (``jisr training verify``)."""
    certificate = certificates.get_certificate(session, viewer.actor, certificate_id)
    body = json.dumps(certificate.document, ensure_ascii=False, indent=2)
    name = certificate.id.replace(":", "-")
    disposition = f'attachment; filename="{name}.json"'
    return Response(
        body, media_type="application/vc+json", headers={"content-disposition": disposition}
    )


@router.get("/training/certificates/{certificate_id}/pdf")
def certificate_pdf(
    request: Request,
    certificate_id: RecordId,
    session: SessionDep,
    viewer: TrainingViewer,
    ctx: ContextDep,
) -> Response:
    """The certificate printed in the reader's language, signed, carrying its credential
    (``jisr training verify FILE.pdf`` verifies it offline)."""
    signer = node_signer(ctx.settings, ctx.agency_code)
    lang = request_language(request)
    signed = documents.certificate_document(session, viewer.actor, certificate_id, lang, signer)
    disposition = f'attachment; filename="{signed.filename}"'
    return Response(
        signed.content,
        media_type="application/pdf",
        headers={"content-disposition": disposition},
    )


class RevokeFields(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)


@router.post("/training/certificates/{certificate_id}/revoke")
async def revoke(
    request: Request,
    certificate_id: RecordId,
    session: SessionDep,
    viewer: CsrfForm,
    ctx: ContextDep,
) -> Response:
    values = form_values(await request.form())
    fields, errors = validate(RevokeFields, filled_in(values))
    if fields is not None:
        certificate = certificates.get_certificate(session, viewer.actor, certificate_id)
        course = service.load_course(session, viewer.actor, certificate.course_id)
        require(session, viewer.actor, Action.UPDATE, service.course_resource(course))
        signer = node_signer(ctx.settings, ctx.agency_code)
        try:
            certificates.revoke_certificate(
                session, viewer.actor, certificate_id, fields.reason, signer
            )
        except PermissionDeniedError:
            raise
        except JisrError as exc:
            errors = refusal(session, exc, REFUSALS, {})
    if fields is None or errors:
        return _certificate_page(request, session, viewer, certificate_id, values, errors)
    response = redirect(request, f"/training/certificates/{certificate_id}")
    set_flash(response, request, N_("The certificate is revoked; partners receive the new list."))
    return response


@router.post("/training/enrolments/{enrolment_id}/attendance")
async def attendance(
    request: Request, enrolment_id: RecordId, session: SessionDep, viewer: CsrfForm
) -> Response:
    values = form_values(await request.form())
    attended = values.get("attended") == "yes"
    enrolment = service.record_attendance(session, viewer.actor, enrolment_id, attended)
    response = redirect(request, f"/training/{enrolment.course_id}#enrolments")
    set_flash(
        response,
        request,
        N_("Marked present.") if attended else N_("Marked absent."),
    )
    return response


def _course_page(
    request: Request,
    session: Session,
    viewer: Viewer,
    course_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    form: str = "",
) -> Response:
    course = service.load_course(session, viewer.actor, course_id)
    enrolments = [
        service.enrolment_read(session, e)
        for e in service.enrolments_of(session, viewer.actor, course.id)
    ]
    issued = certificates.list_certificates(session, viewer.actor, course.id)
    running = may_run(session, viewer, course)
    context = {
        "course": service.course_read(session, course),
        "enrolments": enrolments,
        "certificates": issued,
        "status_labels": STATUS_LABELS,
        "status_tones": STATUS_TONES,
        "may_run": running,
        "may_nominate": may_nominate(session, viewer, course),
        "may_issue": running
        and any(e.status == "attended" and not e.certificate_id for e in enrolments),
        "values": values or {},
        "errors": errors or {},
        "form": form,
    }
    return render(request, "training/course.html", context, status_code=422 if errors else 200)


@router.get("/training/{course_id}")
def course_page(
    request: Request, course_id: RecordId, session: SessionDep, viewer: TrainingViewer
) -> Response:
    return _course_page(request, session, viewer, course_id)


@router.post("/training/{course_id}/enrolments")
async def enrol(
    request: Request, course_id: RecordId, session: SessionDep, viewer: CsrfForm
) -> Response:
    """Enrol one of this agency's officers (a partner's course hears of it by envelope)."""
    values = form_values(await request.form())
    data, errors = validate(EnrolmentCreate, filled_in(values))
    if data is not None:
        try:
            service.nominate(session, viewer.actor, course_id, data)
        except PermissionDeniedError:
            raise
        except JisrError as exc:
            errors = refusal(session, exc, REFUSALS, REFUSAL_FIELDS)
    if data is None or errors:
        return _course_page(request, session, viewer, course_id, values, errors, "enrol")
    response = redirect(request, f"/training/{course_id}#enrolments")
    set_flash(response, request, N_("The officer is enrolled."))
    return response


@router.post("/training/{course_id}/certificates")
def issue(
    request: Request, course_id: RecordId, session: SessionDep, viewer: CsrfForm, ctx: ContextDep
) -> Response:
    """Signed certificates for every officer marked present who has none yet."""
    # Policy first: the node's signing key is read only for someone allowed to use it.
    course = service.load_course(session, viewer.actor, course_id)
    require(session, viewer.actor, Action.UPDATE, service.course_resource(course))
    signer = node_signer(ctx.settings, ctx.agency_code)
    issued = certificates.issue_certificates(session, viewer.actor, course_id, signer)
    response = redirect(request, f"/training/{course_id}#certificates")
    message = ngettext_lazy(
        "%(num)s certificate issued and sent to the holder's agency.",
        "%(num)s certificates issued and sent to the holders' agencies.",
        len(issued),
    )
    set_flash(response, request, message)
    return response
