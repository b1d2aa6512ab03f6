"""TAXII 2.1 at ``/taxii2/``: discovery, one API root, collections, objects, manifest,
versions, delete, status. Authenticated with ``Authorization: Bearer`` API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select

from jisr.agreements.policy import Action
from jisr.agreements.service import require
from jisr.api.deps import CurrentActor, SessionDep
from jisr.audit import AuditAction, record
from jisr.cyber import service, taxii
from jisr.cyber.access import indicator_resource, require_read_own
from jisr.cyber.collections import get_collection, list_collections
from jisr.cyber.errors import ObjectNotFoundError, UploadTooLargeError
from jisr.cyber.models import CyberCollection, CyberObject, CyberObservable, CyberStatus
from jisr.cyber.schemas import ERRORS
from jisr.cyber.sharing import tell_holders
from jisr.cyber.stix import load_document
from jisr.errors import JisrError, NotFoundError, ValidationError

TAXII_MEDIA = "application/taxii+json;version=2.1"
API_ROOT = "/taxii2/api/"
router = APIRouter(prefix="/taxii2", tags=["taxii"])


class UnsupportedMediaError(JisrError):
    code = "media_type_unsupported"
    http_status = 415
    title = "Unsupported media type"


class TaxiiResponse(JSONResponse):
    """JSON in TAXII's media type (``application/taxii+json;version=2.1``)."""

    media_type = TAXII_MEDIA


def _collection_read(row: CyberCollection) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "alias": row.alias,
        "can_read": True,
        "can_write": row.can_write,
        "media_types": [taxii.STIX_MEDIA],
    }


Limit = Annotated[int | None, Query(ge=1, le=100_000)]


@router.get("/", response_class=TaxiiResponse, responses=ERRORS)
def discovery(request: Request, actor: CurrentActor) -> Response:
    """TAXII discovery: this node's one API root."""
    base = str(request.base_url).rstrip("/")
    return TaxiiResponse(
        {
            "title": f"Jisr TAXII server ({actor.agency_code})",
            "description": "Indicators shared under the node's agreements",
            "default": f"{base}{API_ROOT}",
            "api_roots": [f"{base}{API_ROOT}"],
        }
    )


@router.get("/api/", response_class=TaxiiResponse, responses=ERRORS)
def api_root(actor: CurrentActor) -> Response:
    return TaxiiResponse(
        {
            "title": f"{actor.agency_code} indicators",
            "versions": [TAXII_MEDIA],
            "max_content_length": service.MAX_UPLOAD_BYTES,
        }
    )


@router.get("/api/status/{status_id}/", response_class=TaxiiResponse, responses=ERRORS)
def get_status(status_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    status = session.get(CyberStatus, status_id)
    if status is None or status.requested_by != actor.id:
        raise NotFoundError(f"no status {status_id}", code="status_not_found")
    return TaxiiResponse(_status_body(status))


def _status_body(status: CyberStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "status": "complete",
        "request_timestamp": taxii.timestamp(status.created_at),
        "total_count": status.total,
        "success_count": len(status.successes),
        "failure_count": len(status.failures),
        "pending_count": 0,
        "successes": status.successes,
        "failures": [
            {"id": f.get("id") or f"index-{f['index']}", "message": f"{f['code']}: {f['message']}"}
            for f in status.failures
        ],
    }


@router.get("/api/collections/", response_class=TaxiiResponse, responses=ERRORS)
def collections(session: SessionDep, actor: CurrentActor) -> Response:
    require_read_own(session, actor)
    rows = list_collections(session, actor.agency_code)
    return TaxiiResponse({"collections": [_collection_read(r) for r in rows]})


@router.get("/api/collections/{collection_id}/", response_class=TaxiiResponse, responses=ERRORS)
def collection(collection_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    require_read_own(session, actor)
    return TaxiiResponse(
        _collection_read(get_collection(session, actor.agency_code, collection_id))
    )


def _page_headers(result: taxii.Page) -> dict[str, str]:
    if not result.rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": taxii.timestamp(result.rows[0].added),
        "X-TAXII-Date-Added-Last": taxii.timestamp(result.rows[-1].added),
    }


@dataclass(frozen=True, slots=True)
class PageQuery:
    """The paging and filter parameters of TAXII's object and manifest listings (section 3.4)."""

    limit: int | None
    next: str | None
    added_after: str | None
    match_id: str | None
    match_type: str | None
    match_version: str | None
    match_spec_version: str | None


def page_query(
    limit: Limit = None,
    next: Annotated[str | None, Query(max_length=200)] = None,  # noqa: A002 - TAXII's name
    added_after: str | None = None,
    match_id: Annotated[str | None, Query(alias="match[id]")] = None,
    match_type: Annotated[str | None, Query(alias="match[type]")] = None,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> PageQuery:
    return PageQuery(
        limit, next, added_after, match_id, match_type, match_version, match_spec_version
    )


PageQueryDep = Annotated[PageQuery, Depends(page_query)]


def _collection_page(
    session: SessionDep, actor: CurrentActor, collection_id: str, query: PageQuery
) -> taxii.Page:
    """One page of a collection the actor's agency holds, as ``query`` asks."""
    require_read_own(session, actor)
    row = get_collection(session, actor.agency_code, collection_id)
    filters = taxii.parse_filters(
        query.added_after,
        query.match_id,
        query.match_type,
        query.match_version,
        query.match_spec_version,
    )
    return taxii.page(session, actor, row.id, filters, limit=query.limit, cursor=query.next)


@router.get(
    "/api/collections/{collection_id}/objects/", response_class=TaxiiResponse, responses=ERRORS
)
def get_objects(
    collection_id: str, session: SessionDep, actor: CurrentActor, query: PageQueryDep
) -> Response:
    result = _collection_page(session, actor, collection_id, query)
    return TaxiiResponse(taxii.envelope(result), headers=_page_headers(result))


@router.get(
    "/api/collections/{collection_id}/manifest/", response_class=TaxiiResponse, responses=ERRORS
)
def get_manifest(
    collection_id: str, session: SessionDep, actor: CurrentActor, query: PageQueryDep
) -> Response:
    result = _collection_page(session, actor, collection_id, query)
    return TaxiiResponse(taxii.manifest(result), headers=_page_headers(result))


@router.get(
    "/api/collections/{collection_id}/objects/{object_id}/",
    response_class=TaxiiResponse,
    responses=ERRORS,
)
def get_object(
    collection_id: str,
    object_id: str,
    session: SessionDep,
    actor: CurrentActor,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> Response:
    require_read_own(session, actor)
    row = get_collection(session, actor.agency_code, collection_id)
    filters = taxii.parse_filters(None, object_id, None, match_version, match_spec_version)
    result = taxii.page(session, actor, row.id, filters, limit=taxii.MAX_PAGE, cursor=None)
    if not result.rows:
        raise ObjectNotFoundError(f"no object {object_id} in this collection")
    return TaxiiResponse(taxii.envelope(result), headers=_page_headers(result))


@router.get(
    "/api/collections/{collection_id}/objects/{object_id}/versions/",
    response_class=TaxiiResponse,
    responses=ERRORS,
)
def get_versions(
    collection_id: str,
    object_id: str,
    session: SessionDep,
    actor: CurrentActor,
    added_after: str | None = None,
    match_spec_version: Annotated[str | None, Query(alias="match[spec_version]")] = None,
) -> Response:
    require_read_own(session, actor)
    row = get_collection(session, actor.agency_code, collection_id)
    filters = taxii.parse_filters(added_after, None, None, "all", match_spec_version)
    rows = taxii.versions_of(session, actor, row.id, object_id, filters)
    if not rows:
        raise ObjectNotFoundError(f"no object {object_id} in this collection")
    return TaxiiResponse({"more": False, "versions": [r.modified_text for r in rows]})


@router.delete(
    "/api/collections/{collection_id}/objects/{object_id}/",
    response_class=TaxiiResponse,
    responses=ERRORS,
)
def delete_object(
    collection_id: str,
    object_id: str,
    session: SessionDep,
    actor: CurrentActor,
    match_version: Annotated[str | None, Query(alias="match[version]")] = None,
) -> Response:
    """Delete our own object (all versions, or those matched); partners holding it drop it."""
    row = get_collection(session, actor.agency_code, collection_id)
    require(session, actor, Action.WITHDRAW, indicator_resource(actor.agency_code))
    filters = taxii.parse_filters(None, object_id, None, match_version or "all", None)
    every = taxii.versions_of(session, actor, row.id, object_id, filters)
    wanted = filters.versions
    found = [
        r
        for r in every
        if "all" in wanted
        or r.modified_text in wanted
        or ("last" in wanted and r.current)
        or ("first" in wanted and r is every[0])
    ]
    own = [r for r in found if r.owner_agency == actor.agency_code]
    if not own:
        raise ObjectNotFoundError(f"no object {object_id} of yours in this collection")
    seqs = [r.seq for r in own]
    session.execute(delete(CyberObject).where(CyberObject.seq.in_(seqs)))
    remaining = (
        session.execute(
            select(CyberObject)
            .where(CyberObject.collection_id == row.id, CyberObject.stix_id == object_id)
            .order_by(CyberObject.modified.desc())
        )
        .scalars()
        .first()
    )
    if remaining is None:
        session.execute(
            delete(CyberObservable).where(
                CyberObservable.collection_id == row.id, CyberObservable.stix_id == object_id
            )
        )
        tell_holders(session, actor, {object_id}, "deleted")
    else:
        remaining.current = True
    record(
        session,
        actor,
        AuditAction.ERASURE,
        "cyber_object",
        object_id,
        details={"collection": row.alias, "versions": len(seqs)},
    )
    return TaxiiResponse({}, status_code=200)


async def _read_body(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").replace(" ", "")
    if not content_type.startswith("application/taxii+json"):
        raise UnsupportedMediaError(f"send {TAXII_MEDIA}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > service.MAX_UPLOAD_BYTES:
            raise UploadTooLargeError(f"request body exceeds {service.MAX_UPLOAD_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/api/collections/{collection_id}/objects/",
    response_class=TaxiiResponse,
    status_code=202,
    responses=ERRORS,
)
async def add_objects(
    collection_id: str, request: Request, session: SessionDep, actor: CurrentActor
) -> Response:
    """Store a TAXII envelope's objects; each bad one is a failure in the status, the rest go
    in (and to the agreement's community when the collection is an agreement's)."""
    raw = await _read_body(request)
    document = load_document(raw)
    objects = document.get("objects") if isinstance(document, dict) else None
    if not isinstance(objects, list):
        raise ValidationError("a TAXII envelope needs an objects list", code="bundle_malformed")
    outcome = await run_in_threadpool(
        service.import_objects, session, actor, objects, collection_key=collection_id
    )
    status = session.get(CyberStatus, outcome.status_id)
    if status is None:
        raise NotFoundError("status not recorded", code="status_not_found")
    return TaxiiResponse(_status_body(status), status_code=202)
