"""Audit API for auditors: verification of the whole log, signed checkpoints and proofs.

Beside ``jisr.audit.router`` (the entries) under the same ``/audit`` prefix; here because each
needs the node's keys or its partners' (through federation)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from jisr.api.deps import AuditorActor, ContextDep, SessionDep
from jisr.audit import checkpoints, service
from jisr.audit.models import AuditAction
from jisr.audit.schemas import AuditVerification, ConsistencyRead, InclusionRead
from jisr.errors import ValidationError
from jisr.witness.integrity import node_signing_key, verification

router = APIRouter(prefix="/audit", tags=["audit"])
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not an auditor or administrator"},
    422: {"description": "Invalid request"},
}


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
