"""Screening API: check a traveller (hit / no-hit first), open and decide hits, manifests, and
list imports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.api.deps import ContextDep, CurrentActor, SessionDep, SettingsDep
from jisr.errors import ValidationError
from jisr.exchange.storage import BlobStore
from jisr.screening.sources import SourceError
from jisr.watchlists import checks, decisions, imports, manifests, queries
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.models import HitNotification, ManifestJob
from jisr.watchlists.schemas import (
    CheckResult,
    DecisionCreate,
    DecisionRead,
    HitNotificationRead,
    HitOpen,
    HitRead,
    HitSummary,
    ImportRead,
    JobRead,
    TravellerCheck,
    WatchlistRead,
)
from jisr.watchlists.service import count_active, list_watchlists

router = APIRouter(tags=["screening"])
RecordId = Annotated[str, Path(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}:[a-z]{1,16}:[0-9A-Z]{1,40}$")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed (the policy's reason is in the problem detail)"},
    404: {"description": "No such record"},
    409: {"description": "Conflicting state"},
    422: {"description": "Invalid input"},
}


def get_cache(ctx: ContextDep) -> ScreenerCache:
    return ctx.screener


CacheDep = Annotated[ScreenerCache, Depends(get_cache)]


@router.post("/screening/check", response_model=CheckResult, responses=_ERRORS)
def check(
    body: TravellerCheck, session: SessionDep, actor: CurrentActor, cache: CacheDep
) -> CheckResult:
    """Screen one traveller: hit or no hit, and per candidate only who owns which alert."""
    return checks.check_traveller(session, actor, cache, body)


@router.get("/screening/hits", response_model=list[HitSummary], responses=_ERRORS)
def hit_queue(
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[HitSummary]:
    """Hits awaiting a decision, last seen first: the traveller as screened, when, the flight
    or manifest, the list and alert, and how often the traveller hit it (repeats are folded
    onto one hit)."""
    return queries.summaries(session, queries.open_hits(session, actor, limit))


@router.post("/screening/hits/{hit_id}/open", response_model=HitRead, responses=_ERRORS)
def open_hit(hit_id: RecordId, body: HitOpen, session: SessionDep, actor: CurrentActor) -> HitRead:
    """Reveal the listed person and the explanation (audited with your justification)."""
    return checks.open_hit(session, actor, hit_id, body.justification)


@router.post(
    "/screening/hits/{hit_id}/decision",
    response_model=DecisionRead,
    status_code=201,
    responses=_ERRORS,
)
def decide(
    hit_id: RecordId,
    body: DecisionCreate,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> DecisionRead:
    """Confirm a hit or mark it a false positive; confirming a partner's alert sends it a
    follow-up request."""
    store = BlobStore.for_data_dir(settings.data_dir)
    return decisions.decide(session, actor, hit_id, body, store=store)


async def _upload(request: Request) -> tuple[str, bytes]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationError("send the manifest in a 'file' field", code="manifest_missing")
        return upload.filename or "manifest.csv", await upload.read()
    if content_type.split(";")[0].strip() in {"text/csv", "text/plain", "application/csv"}:
        return "manifest.csv", await request.body()
    raise ValidationError("send text/csv or multipart/form-data", code="manifest_content_type")


@router.post(
    "/screening/manifests",
    response_model=JobRead,
    status_code=202,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "id,name,birth_date,nationality\np1,Jean Testtraveller,1980,FR\n",
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
            },
        }
    },
)
async def upload_manifest(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: ContextDep,
    threshold: Annotated[float | None, Query(ge=0.5, le=1.0)] = None,
) -> JobRead:
    """Queue a passenger manifest (CSV: id, name, birth_date, ...); a job of the node's queue
    screens it in the background. Follow it at ``GET /screening/manifests/{id}`` (or its job,
    ``job_id``, at ``GET /jobs/{job_id}``)."""
    filename, content = await _upload(request)

    def create() -> JobRead:
        job = manifests.create_job(
            session, actor, ctx.settings.data_dir, filename, content, threshold
        )
        session.commit()  # a runner claims the job once it is committed
        return _job_read(session, job)

    return await run_in_threadpool(create)


@router.get("/screening/manifests/{job_id}", response_model=JobRead, responses=_ERRORS)
def manifest_progress(job_id: RecordId, session: SessionDep, actor: CurrentActor) -> JobRead:
    """Status, counters and every rejected row (line and reason)."""
    return _job_read(session, manifests.get_job(session, actor, job_id))


@router.post("/screening/manifests/{job_id}/resume", response_model=JobRead, responses=_ERRORS)
def resume_manifest(job_id: RecordId, session: SessionDep, actor: CurrentActor) -> JobRead:
    """Continue a failed job from the last row it recorded."""
    job = manifests.resume_job(session, actor, job_id)
    session.commit()
    return _job_read(session, job)


@router.get(
    "/screening/manifests/{job_id}/hits", response_model=list[HitSummary], responses=_ERRORS
)
def manifest_hits(job_id: RecordId, session: SessionDep, actor: CurrentActor) -> list[HitSummary]:
    """The job's hits, hit / no-hit first: open one to see who it is about."""
    job = manifests.get_job(session, actor, job_id)
    return queries.summaries(session, manifests.hits_of(session, job.id))


@router.get(
    "/screening/hit-notifications", response_model=list[HitNotificationRead], responses=_ERRORS
)
def hit_notifications(
    session: SessionDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HitNotificationRead]:
    """Partners' notices that our alerts were hit, newest first."""
    require(session, actor, Action.READ, Resource(ResourceKind.WATCHLIST, actor.agency_code))
    stmt = select(HitNotification).order_by(HitNotification.received_at.desc()).limit(limit)
    return [
        HitNotificationRead.model_validate(n, from_attributes=True)
        for n in session.execute(stmt).scalars()
    ]


@router.get("/watchlists", response_model=list[WatchlistRead], responses=_ERRORS)
def watchlists(session: SessionDep, actor: CurrentActor) -> list[WatchlistRead]:
    """The lists this node screens against, with their current version."""
    require(session, actor, Action.READ, Resource(ResourceKind.WATCHLIST, actor.agency_code))
    return [
        WatchlistRead(
            id=w.id,
            name=w.name,
            kind=w.kind,
            version=w.current_version,
            active_entries=count_active(session, w.id),
        )
        for w in list_watchlists(session)
    ]


ListName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
_MAX_REPORTED = 1000


@router.post(
    "/watchlists/{name}/imports",
    response_model=ImportRead,
    status_code=201,
    responses={**_ERRORS, 413: {"description": "The file is larger than the node accepts"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "id,name,birth_date,nationality\nx1,Karim Testlist,1975-06-01,MA\n",
                },
                **{
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in (
                        "application/xml",
                        "application/x-ndjson",
                        "application/octet-stream",
                    )
                },  # fmt: skip
            },
        }
    },
)
async def import_watchlist(
    name: ListName,
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    filename: Annotated[
        str, Query(max_length=200, description="Name of the file, kept with the version")
    ] = "list",
    alert_type: Annotated[
        str, Query(pattern=r"^[a-z_]{1,40}$", description="Alert type shown on hits")
    ] = "sanctions",
    strict: Annotated[bool, Query(description="Store nothing if any row is rejected")] = False,
    allow_shrink: Annotated[
        bool,
        Query(
            description="Accept a version with no entry, or one losing more than "
            "JISR_WATCHLISTS_MAX_SHRINK of the previous version's entries"
        ),
    ] = False,
) -> ImportRead:
    """Import a list file (UN consolidated XML, OFAC sdn.csv, FollowTheMoney JSON lines or CSV,
    detected from the content) sent as the raw body, as the next version of list ``name``. The
    file is streamed to disk; the new version replaces the old in one transaction, so a file
    that cannot be read leaves the previous version in force."""
    await run_in_threadpool(imports.require_importer, session, actor, name)
    # End the transaction authentication opened before the (possibly long) upload: on SQLite
    # it holds the write lock, which would stall every other writer.
    await run_in_threadpool(session.commit)
    upload = imports.UploadFile(
        settings.data_dir, filename, settings.section(imports.ImportSettings).import_max_bytes
    )
    try:
        async for chunk in request.stream():
            if chunk:
                upload.write(chunk)
        upload.close()
        result = await run_in_threadpool(
            imports.import_list,
            session,
            actor,
            name,
            upload.path,
            alert_type=alert_type,
            strict=strict,
            allow_shrink=allow_shrink,
            max_shrink=settings.section(imports.ImportSettings).max_shrink,
        )
    except SourceError as exc:
        exc.detail = exc.detail.replace(str(upload.path), upload.path.name)  # no server paths
        raise
    finally:
        upload.discard()
    return ImportRead(
        watchlist=result.watchlist,
        version=result.version,
        entries=result.entries,
        rejected=len(result.rejections),
        rejections=[imports.brief(r) for r in result.rejections[:_MAX_REPORTED]],
    )


def _job_read(session: SessionDep, job: ManifestJob) -> JobRead:
    return JobRead(
        id=job.id,
        job_id=job.queue_job_id,
        filename=job.filename,
        status=job.status,
        position=job.position,
        screened=job.screened,
        hits=job.hits,
        rejected=job.rejected,
        rejections=[f"line {r.line}: {r.reason}" for r in manifests.rejections_of(session, job.id)],
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
