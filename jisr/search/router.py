"""Search API: ``GET /search`` over every indexed record the caller may read, and the index's
health for administrators and auditors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from jisr.api.deps import AuditorActor, CurrentActor, SessionDep
from jisr.search import service
from jisr.search.indexer import health
from jisr.search.schemas import SearchPage, SearchStatus

router = APIRouter(tags=["search"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed"},
    422: {"description": "Invalid query, type or cursor"},
}


@router.get("/search", response_model=SearchPage, responses=_ERRORS)
def search(
    session: SessionDep,
    actor: CurrentActor,
    q: Annotated[
        str,
        Query(
            max_length=service.MAX_QUERY,
            description="Words, a name in any "
            "script, or an identifier (phone, IBAN, document number)",
        ),
    ],
    types: Annotated[
        list[str] | None,
        Query(description="Kinds to search (comma-separated or repeated); all when absent"),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = 20,
) -> SearchPage:
    """Records the caller may read that match ``q``, best first, with counts per kind. What
    policy does not let the caller read is neither returned, counted nor quoted."""
    kinds = service.parse_types(types or [])
    return service.search(session, actor, q, types=kinds, cursor=cursor, limit=limit)


@router.get("/search/status", response_model=SearchStatus, responses=_ERRORS)
def status(session: SessionDep, actor: AuditorActor) -> SearchStatus:
    """The index's health: documents, the backlog, and records missing from it or gone."""
    found = health(session)
    return SearchStatus(
        documents=found.documents,
        backlog=found.backlog,
        failing=found.failing,
        missing=found.missing,
        stale=found.stale,
        complete=found.complete,
    )
