"""Audit trail API: auditors and administrators only; every read is itself audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jisr.api.deps import AuditorActor, SessionDep
from jisr.audit import service
from jisr.audit.models import AuditAction
from jisr.audit.schemas import AuditEntryRead
from jisr.timeinput import UtcDatetime

router = APIRouter(prefix="/audit", tags=["audit"])
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not an auditor or administrator"},
    422: {"description": "Invalid filter"},
}


@router.get("/entries", response_model=list[AuditEntryRead], responses=_ERRORS)
def list_entries(
    session: SessionDep,
    actor: AuditorActor,
    action: AuditAction | None = None,
    actor_name: Annotated[
        str | None, Query(alias="actor", max_length=120, description="The actor exactly")
    ] = None,
    actor_contains: Annotated[
        str | None,
        Query(
            max_length=120,
            description="Any part of the actor, whatever the case (as the console's filter)",
        ),
    ] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=120)] = None,
    since: UtcDatetime | None = None,
    until: UtcDatetime | None = None,
    newest_first: bool = False,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    before_seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    justification: Annotated[str, Query(max_length=500)] = "",
) -> list[AuditEntryRead]:
    """Entries in order, filtered; page with ``after_seq``, or with ``newest_first`` and
    ``before_seq`` (the last ``seq`` seen). ``actor`` is the actor exactly as recorded,
    ``actor_contains`` any part of it whatever the case (both may be given). Recorded as
    ``audit_access``."""
    query = service.AuditFilter(
        action=action.value if action else None,
        actor=actor_name,
        actor_contains=actor_contains,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        newest_first=newest_first,
        after_seq=after_seq,
        before_seq=before_seq,
        limit=limit,
    )
    rows = service.read_entries(session, actor, query, justification=justification)
    return [AuditEntryRead.model_validate(service.entry_to_json(r)) for r in rows]
