"""Screening: one traveller (hit / no-hit first), passenger manifests as background jobs with
live progress, and hit review (open with a justification, then confirm or false positive).

Pages call the watchlists service the API calls, as the signed-in officer: it checks the
screening right, audits every check, opening and decision, and sends the follow-up request to
a partner whose alert a confirmed hit matched. The manifest upload and the decision forms carry
an idempotency key (``jisr.web.forms``): sent twice, they lead to what the first one made.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from jisr.actors import Role
from jisr.api.deps import ContextDep, SessionDep, SettingsDep
from jisr.errors import ConflictError, PermissionDeniedError, ValidationError
from jisr.exchange.storage import BlobStore
from jisr.jobs import queue
from jisr.watchlists import checks, decisions, manifests, queries
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.models import JobStatus, ManifestJob
from jisr.watchlists.schemas import DecisionCreate, TravellerCheck
from jisr.web.errors import console_router, redirect
from jisr.web.forms import (
    IDEMPOTENCY_FIELD,
    CsrfForm,
    filled_in,
    form_key_for,
    form_once,
    form_values,
    validate,
)
from jisr.web.i18n import N_
from jisr.web.registry import Attention, NavItem
from jisr.web.templating import render, set_flash
from jisr.web.viewer import Viewer, ViewerDep, record_view

router = console_router()
NAV = (
    NavItem(N_("Screening"), "/screening", roles=frozenset({Role.BORDER_OFFICER, Role.LIAISON})),
)
RecordId = Annotated[str, Path(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z]{1,16}:[0-9A-Z]{1,40}$")]
_CHUNK = 1024 * 1024

NOT_A_MANIFEST = N_("This is not a passenger manifest: upload a CSV file with id and name columns.")
TOO_LARGE = N_("The file is larger than 64 MiB: split the manifest.")
NO_FILE = N_("Choose the manifest file to upload.")
UNREADABLE_TRAVELLER = N_(
    "These details cannot be screened: check the date of birth (YYYY-MM-DD, not in the future), "
    "the nationality and the document number."
)
# What cannot be screened, by the field the service names (``checks.traveller_subject``).
UNREADABLE_FIELDS = {
    "name": N_("This name cannot be read: it needs at least one letter or digit."),
    "birth_date": N_("Give the date of birth as YYYY-MM-DD, after 1850 and not in the future."),
    "nationality": N_("Enter a country code such as MA, FR or ES."),
    "gender": N_("Choose one of the options."),
    "document_number": N_("This document number cannot be read: use letters and digits."),
}
NOT_COVERED = N_(
    "No active agreement with the alert's owner covers a follow-up request, so the decision was "
    "not recorded. Ask your liaison desk."
)
DECIDED = {
    "confirmed": N_("Hit confirmed. The decision is recorded."),
    "followup": N_(
        "Hit confirmed: an urgent follow-up request was sent to the alert's owner (queued for "
        "delivery; it is linked below)."
    ),
    "false_positive": N_("Marked as a false positive. The decision is recorded."),
}
ALREADY_DONE = N_("This form was already sent: here is what it did. Nothing was done twice.")


class TravellerForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=500)
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    nationality: str | None = Field(default=None, max_length=60)
    gender: Literal["male", "female"] | None = None
    document_number: str | None = Field(default=None, max_length=64)
    flight: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{2,3}\s?[0-9]{1,5}[A-Za-z]?$")


class OpenForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    justification: str = Field(min_length=3, max_length=2000)


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _cache(ctx: ContextDep) -> ScreenerCache:
    # The same screener the API uses (held by the app context, rebuilt on list changes).
    return ctx.screener


CacheDep = Annotated[ScreenerCache, Depends(_cache)]


def attention(session: Session, viewer: Viewer) -> list[Attention]:
    if not viewer.has_role(Role.BORDER_OFFICER):
        return []
    count = queries.count_open_hits(session, viewer.actor.agency_code)
    return [Attention(N_("Screening hits awaiting a decision"), count, "/screening/hits", "danger")]


def _index(
    request: Request,
    session: Session,
    viewer: Viewer,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    jobs = queries.recent_jobs(session, viewer.actor)
    values = values or {}
    context = {
        "values": values,
        "errors": errors or {},
        "jobs": jobs,
        "form_key": form_key_for(viewer, "screening.manifest"),
    }
    return render(request, "screening/index.html", context, status_code=status_code)


@router.get("/screening")
def screening_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    checks.require_screen(session, viewer.actor)
    return _index(request, session, viewer)


@router.post("/screening/check")
def check_traveller(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, cache: CacheDep
) -> Response:
    typed = form_values(form)
    parsed, errors = validate(TravellerForm, filled_in(typed))
    if parsed is not None:
        data = parsed.model_dump()
        if parsed.flight:
            data["flight"] = parsed.flight.upper()
        try:
            result = checks.check_traveller(session, viewer.actor, cache, TravellerCheck(**data))
        except ValidationError as exc:
            if exc.code != "traveller_invalid":
                raise
            session.rollback()
            field = exc.field or ""
            errors = (
                {field: UNREADABLE_FIELDS[field]}
                if field in UNREADABLE_FIELDS
                else {"form": UNREADABLE_TRAVELLER}
            )
    if parsed is None or errors:
        return _index(request, session, viewer, values=typed, errors=errors, status_code=422)
    return render(request, "screening/result.html", {"result": result, "traveller": parsed})


def _read_upload(upload: UploadFile) -> bytes | None:
    """The file, read in chunks; None when it exceeds the manifest limit."""
    chunks: list[bytes] = []
    size = 0
    while chunk := upload.file.read(_CHUNK):
        size += len(chunk)
        if size > manifests.MAX_MANIFEST_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/screening/manifests")
def upload_manifest(
    request: Request,
    session: SessionDep,
    viewer: CsrfForm,
    form: FormDep,
    ctx: ContextDep,
) -> Response:
    once = form_once("screening.manifest", form)
    first = once.first_result(session, viewer)
    if first is not None:
        return _done_already(request, first.location)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _index(request, session, viewer, errors={"file": NO_FILE}, status_code=422)
    content = _read_upload(upload)
    if content is None:
        return _index(request, session, viewer, errors={"file": TOO_LARGE}, status_code=413)
    try:
        job = manifests.create_job(
            session, viewer.actor, ctx.settings.data_dir, upload.filename, content
        )
    except ValidationError:
        session.rollback()
        return _index(request, session, viewer, errors={"file": NOT_A_MANIFEST}, status_code=422)
    location = f"/screening/manifests/{job.id}"
    twin = once.remember_result(session, viewer, job.id, location)
    if twin is not None:
        return _done_already(request, twin.location)
    session.commit()  # a runner claims the job once it is committed
    response = redirect(request, location)
    set_flash(response, request, N_("The manifest is being screened."))
    return response


def _done_already(request: Request, location: str | None) -> Response:
    response = redirect(request, location or "/screening")
    set_flash(response, request, ALREADY_DONE)
    return response


@router.post("/screening/manifests/{job_id}/resume")
def resume_manifest(
    request: Request,
    session: SessionDep,
    viewer: CsrfForm,
    job_id: RecordId,
) -> Response:
    """Screen a failed manifest again from the last row it recorded (the stored upload)."""
    job = manifests.resume_job(session, viewer.actor, job_id)
    session.commit()  # a runner claims the job once it is committed
    response = redirect(request, f"/screening/manifests/{job.id}")
    set_flash(response, request, N_("The manifest is screened again from the last row recorded."))
    return response


_FINISHED = {JobStatus.DONE.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value}


def _job_context(session: Session, viewer: Viewer, job: ManifestJob) -> dict[str, Any]:
    finished = job.status in _FINISHED
    queued = manifests.queue_job(session, job)
    hits = []
    if finished:
        hits = queries.summaries(session, manifests.hits_of(session, job.id))
        record_view(session, viewer, "manifest", job.id, hits=len(hits))
    return {
        "job": job,
        "finished": finished,
        # The queue's job: its page (progress, cancel) for whoever may see it.
        "queue_job": queued if queued is not None and queue.may_see(viewer.actor, queued) else None,
        "hits": hits,
        "rejections": manifests.rejections_of(session, job.id) if finished else [],
    }


@router.get("/screening/manifests/{job_id}")
def job_page(
    request: Request, session: SessionDep, viewer: ViewerDep, job_id: RecordId
) -> Response:
    job = manifests.get_job(session, viewer.actor, job_id)
    return render(request, "screening/job.html", _job_context(session, viewer, job))


@router.get("/screening/manifests/{job_id}/progress")
def job_progress(
    request: Request, session: SessionDep, viewer: ViewerDep, job_id: RecordId
) -> Response:
    """The progress fragment HTMX polls every second; it stops polling once the job ends."""
    job = manifests.get_job(session, viewer.actor, job_id)
    return render(request, "screening/_progress.html", _job_context(session, viewer, job))


@router.get("/screening/hits")
def open_hits(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    hits = queries.open_hits(session, viewer.actor)
    return render(request, "screening/hits.html", {"hits": queries.summaries(session, hits)})


def _hit_summary(
    request: Request,
    session: Session,
    viewer: Viewer,
    hit_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    hit, _entry = checks.load_hit(session, viewer.actor, hit_id)
    record_view(session, viewer, "screening_hit", hit.id, event="summary")
    return render(
        request,
        "screening/hit.html",
        {
            "hit": hit,
            "info": checks.entry_info(session, hit),
            "decisions": checks.decisions_of(session, hit.id),
            "opened": None,
            "errors": errors or {},
            "values": values or {},
            "hit_flight": hit.query.get("flight"),
        },
        status_code=status_code,
    )


@router.get("/screening/hits/{hit_id}")
def hit_page(
    request: Request, session: SessionDep, viewer: ViewerDep, hit_id: RecordId
) -> Response:
    return _hit_summary(request, session, viewer, hit_id)


def _opened(
    request: Request,
    session: Session,
    viewer: Viewer,
    hit_id: str,
    *,
    justification: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    if justification is not None:
        opened = checks.open_hit(session, viewer.actor, hit_id, justification)
    else:
        # Re-shown after a refused decision: the opening was audited; this showing is too.
        hit, entry = checks.load_hit(session, viewer.actor, hit_id)
        record_view(session, viewer, "screening_hit", hit.id, event="decision_form")
        opened = checks.hit_read(session, hit, entry)
    return render(
        request,
        "screening/hit.html",
        {
            "hit": opened,
            "info": opened,
            "decisions": opened.decisions,
            "opened": opened,
            "errors": errors or {},
            "values": values or {},
            "hit_flight": opened.traveller.get("flight"),
            "form_key": form_key_for(viewer, "screening.decision", hit_id),
        },
        status_code=status_code,
    )


@router.post("/screening/hits/{hit_id}/open")
def open_hit(
    request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep, hit_id: RecordId
) -> Response:
    typed = form_values(form)
    parsed, errors = validate(OpenForm, filled_in(typed))
    if parsed is None:
        return _hit_summary(
            request, session, viewer, hit_id, errors=errors, values=typed, status_code=422
        )
    return _opened(request, session, viewer, hit_id, justification=parsed.justification)


@router.post("/screening/hits/{hit_id}/decision")
def decide_hit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: CsrfForm,
    form: FormDep,
    hit_id: RecordId,
) -> Response:
    typed = form_values(form)
    once = form_once("screening.decision", form)
    first = once.first_result(session, viewer)
    if first is not None:
        return _done_already(request, first.location)
    fields = {k: v for k, v in typed.items() if k != IDEMPOTENCY_FIELD}
    parsed, errors = validate(DecisionCreate, filled_in(fields))
    if parsed is not None:
        store = BlobStore.for_data_dir(settings.data_dir)
        try:
            decision = decisions.decide(session, viewer.actor, hit_id, parsed, store=store)
        except ConflictError as exc:
            if exc.code != "hit_not_opened":
                raise
            session.rollback()
            return redirect(request, f"/screening/hits/{hit_id}")
        except PermissionDeniedError as exc:
            if exc.code != "followup_not_covered":
                raise
            session.rollback()
            errors = {"form": NOT_COVERED}
    if parsed is None or errors:
        return _opened(
            request, session, viewer, hit_id, errors=errors, values=typed, status_code=422
        )
    location = f"/screening/hits/{hit_id}"
    twin = once.remember_result(session, viewer, decision.id, location)
    if twin is not None:
        return _done_already(request, twin.location)
    response = redirect(request, location)
    key = "followup" if decision.followup_message_id else decision.verdict.value
    set_flash(response, request, DECIDED[key])
    return response
