"""Audit trail API: auditors and administrators only; every read is itself audited."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from jisr.api.deps import AuditorActor, ContextDep, SessionDep
from jisr.audit import checkpoints, service
from jisr.audit.integrity import node_signing_key, verification
from jisr.audit.models import AuditAction
from jisr.audit.schemas import AuditEntryRead, AuditVerification, ConsistencyRead, InclusionRead
from jisr.errors import ValidationError

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
    actor_name: Annotated[str | None, Query(alias="actor", max_length=120)] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=120)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    newest_first: bool = False,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    before_seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    justification: Annotated[str, Query(max_length=500)] = "",
) -> list[AuditEntryRead]:
    """Entries in order, filtered; page with ``after_seq``, or with ``newest_first`` and
    ``before_seq`` (the last ``seq`` seen). Recorded as ``audit_access``."""
    query = service.AuditFilter(
        action=action.value if action else None,
        actor=actor_name,
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


@router.post("/verify", response_model=AuditVerification, responses=_ERRORS)
def verify(session: SessionDep, ctx: ContextDep, actor: AuditorActor) -> AuditVerification:
    """Recompute the chain, the Merkle tree and the root at each checkpoint; check every
    checkpoint's signature and every co-signature. Names each problem found."""
    result = verification(session, ctx.settings, ctx.agency_code)
    service.record(
        session,
        actor,
        AuditAction.AUDIT_ACCESS,
        "audit_trail",
        details={"verify": True, "intact": result.intact},
    )
    return result


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    responses={**_ERRORS, 200: {"content": {"text/plain": {}}}},
)
def get_checkpoint(
    session: SessionDep, ctx: ContextDep, actor: AuditorActor, fresh: bool = False
) -> PlainTextResponse:
    """The newest signed checkpoint (C2SP tlog-checkpoint text); ``fresh`` signs one of the log
    as it stands now. Keep it: ``jisr audit verify --checkpoint`` checks the log against it."""
    latest = checkpoints.latest_checkpoint(session)
    if latest is None or fresh:
        latest = checkpoints.make_checkpoint(
            session, ctx.agency_code, node_signing_key(ctx.settings)
        )
    note = latest.note
    service.record(
        session,
        actor,
        AuditAction.AUDIT_ACCESS,
        "audit_checkpoint",
        str(latest.tree_size),
        details={"checkpoint": latest.tree_size},
    )
    return PlainTextResponse(note)


@router.get("/proof", response_model=InclusionRead, responses={**_ERRORS, 404: {}})
def get_proof(
    session: SessionDep,
    ctx: ContextDep,
    actor: AuditorActor,
    entry: Annotated[int, Query(ge=1, le=2**62)],
) -> InclusionRead:
    """The inclusion proof (RFC 9162, base64 hashes) of entry ``entry`` in the newest
    checkpoint, signed now if none covers it yet."""
    latest = checkpoints.latest_checkpoint(session)
    if latest is None or latest.tree_size < entry:
        latest = checkpoints.make_checkpoint(
            session, ctx.agency_code, node_signing_key(ctx.settings)
        )
    proof = checkpoints.inclusion(session, entry, latest)
    service.record(
        session, actor, AuditAction.AUDIT_ACCESS, "audit_entry", str(entry), details={"proof": True}
    )
    return InclusionRead.model_validate(proof.as_json())


@router.get("/consistency", response_model=ConsistencyRead, responses=_ERRORS)
def get_consistency(
    session: SessionDep,
    actor: AuditorActor,
    first: Annotated[int, Query(ge=0, le=2**62)],
    second: Annotated[int, Query(ge=0, le=2**62)],
) -> ConsistencyRead:
    """The consistency proof (RFC 9162) that the tree of ``second`` entries extends the tree
    of ``first``."""
    size = checkpoints.tree_size(session)
    if not first <= second <= size:
        raise ValidationError(
            f"need first <= second <= {size} (the log's size)", code="audit_sizes_invalid"
        )
    proof = checkpoints.consistency(session, first, second)
    service.record(
        session,
        actor,
        AuditAction.AUDIT_ACCESS,
        "audit_trail",
        details={"consistency": [first, second]},
    )
    return ConsistencyRead(first=first, second=second, consistency_path=proof)
