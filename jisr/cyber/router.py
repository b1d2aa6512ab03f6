"""The cyber REST API under ``/api/v1/cyber``: import, search, an object, revoke, correlate,
export. (TAXII 2.1 is ``jisr.cyber.taxii_router``.)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from jisr.api.deps import ContextDep, CurrentActor, SessionDep
from jisr.cyber import correlate, service, views
from jisr.cyber import jobs as cyber_jobs
from jisr.cyber.access import require_read_own
from jisr.cyber.errors import UploadTooLargeError
from jisr.cyber.schemas import ERRORS, CorrelationRead, ImportRead, ObjectRead, ObjectSummary
from jisr.cyber.tlp import parse_level
from jisr.jobs.schemas import JobRead

router = APIRouter(prefix="/cyber", tags=["cyber"])


async def _read_limited(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > service.MAX_UPLOAD_BYTES:
            raise UploadTooLargeError(f"upload exceeds {service.MAX_UPLOAD_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/imports",
    response_model=ImportRead | JobRead,
    status_code=201,
    responses={
        **ERRORS,
        202: {"model": JobRead, "description": "Queued (`Prefer: respond-async`); see Location"},
    },
)
async def import_document(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CurrentActor,
    ctx: ContextDep,
    collection: Annotated[str | None, Query(max_length=120)] = None,
    tlp: Annotated[str, Query(max_length=20)] = "amber",
    to: Annotated[list[str] | None, Query(max_length=24)] = None,
    prefer: Annotated[str | None, Header(max_length=200)] = None,
) -> ImportRead | JobRead:
    """Import a STIX 2.1 bundle or a MISP event (the raw body, detected). Bad objects are
    reported one by one with a code; the rest is stored, counted and shared. With `Prefer:
    respond-async` (RFC 7240) a large file is imported in the background: 202 and the job's
    address in `Location` (`GET /api/v1/jobs/{id}` follows its progress)."""
    raw = await _read_limited(request)
    if prefer and "respond-async" in prefer.lower():
        job = await run_in_threadpool(
            cyber_jobs.queue_import,
            session,
            actor,
            raw,
            data_dir=ctx.settings.data_dir,
            collection_key=collection,
            tlp=parse_level(tlp),
            recipients=to or [],
        )
        response.status_code = 202
        response.headers["Location"] = f"/api/v1/jobs/{job.id}"
        response.headers["Preference-Applied"] = "respond-async"
        return JobRead.model_validate(job)
    outcome = await run_in_threadpool(
        service.import_document,
        session,
        actor,
        raw,
        collection_key=collection,
        tlp=parse_level(tlp),
        recipients=to or [],
    )
    return ImportRead.model_validate(outcome.summary())


@router.get("/objects", response_model=list[ObjectSummary], responses=ERRORS)
def search(
    session: SessionDep,
    actor: CurrentActor,
    q: Annotated[str, Query(max_length=512)] = "",
    type: Annotated[str | None, Query(max_length=48)] = None,  # noqa: A002
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ObjectSummary]:
    require_read_own(session, actor)
    return [
        ObjectSummary.of(r) for r in views.search(session, actor, q, stix_type=type, limit=limit)
    ]


@router.get("/objects/{stix_id}", response_model=ObjectRead, responses=ERRORS)
def get_object(stix_id: str, session: SessionDep, actor: CurrentActor) -> ObjectRead:
    require_read_own(session, actor)
    return ObjectRead.of(views.object_view(session, actor, stix_id))


@router.post("/objects/{stix_id}/revoke", response_model=ImportRead, responses=ERRORS)
def revoke(stix_id: str, session: SessionDep, actor: CurrentActor) -> ImportRead:
    """Revoke our object: a new version with ``revoked``, sent to every partner holding it."""
    return ImportRead.model_validate(service.revoke_object(session, actor, stix_id).summary())


@router.get("/correlations", response_model=CorrelationRead, responses=ERRORS)
def correlations(
    session: SessionDep,
    actor: CurrentActor,
    value: Annotated[str, Query(min_length=1, max_length=512)],
) -> CorrelationRead:
    require_read_own(session, actor)
    return CorrelationRead.of(correlate.lookup(session, actor, value))


@router.get("/export", responses=ERRORS)
def export(
    session: SessionDep,
    actor: CurrentActor,
    format: Annotated[str, Query(pattern="^(stix|misp)$")] = "stix",  # noqa: A002
    collection: Annotated[str | None, Query(max_length=120)] = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """A STIX 2.1 bundle, or MISP events, of what this user may see of a collection."""
    require_read_own(session, actor)
    if format == "misp":
        return service.export_misp(session, actor, collection)
    return service.export_bundle(session, actor, collection)
