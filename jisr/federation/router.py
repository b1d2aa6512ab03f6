"""Federation endpoints: the inbox partners post envelopes to, and this node's public card.

No bearer token: an envelope authenticates itself (the sender's pinned signing key).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from jisr.agreements.parties import Agency
from jisr.api.deps import ContextDep
from jisr.errors import NotFoundError, UnavailableError, ValidationError
from jisr.federation.envelope import SCHEMA_VERSION, canonical
from jisr.federation.errors import OversizedEnvelopeError
from jisr.federation.keys import fingerprint
from jisr.federation.node import FederationNode
from jisr.federation.schemas import NodeCard
from jisr.federation.worker import receive_batch, receive_one

router = APIRouter(prefix="/federation/v1", tags=["federation"])
ACK_MEDIA_TYPE = "application/json"
MAX_BATCH = 256
BATCH_FACTOR = 4


def _node(ctx: ContextDep) -> FederationNode:
    node = ctx.federation
    if node is None:
        raise UnavailableError("federation is not running on this node", code="federation_off")
    return node


@router.post(
    "/inbox",
    responses={
        200: {"description": "Signed acknowledgement"},
        403: {"description": "Signed rejection (final or retryable)"},
        413: {"description": "Envelope too large"},
    },
)
async def post_inbox(request: Request, ctx: ContextDep) -> Response:
    """Receive one envelope; answers with a signed acknowledgement or a signed rejection."""
    node = _node(ctx)
    body = await _read(request, node.settings.max_envelope_bytes)
    _sender, signed = await run_in_threadpool(receive_one, node, body)
    accepted = b'"status":"accepted"' in signed
    return Response(signed, status_code=200 if accepted else 403, media_type=ACK_MEDIA_TYPE)


@router.post(
    "/inbox/batch",
    responses={
        200: {"description": "A JSON array of signed answers, in the order of the envelopes"},
        413: {"description": "Batch too large"},
        422: {"description": "Not a JSON array of envelopes"},
    },
)
async def post_inbox_batch(request: Request, ctx: ContextDep) -> Response:
    """Receive a JSON array of envelopes in one transaction; answers each, in order."""
    node = _node(ctx)
    body = await _read(request, node.settings.max_envelope_bytes * BATCH_FACTOR)
    try:
        items = json.loads(body)
    except ValueError:
        items = None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        raise ValidationError(
            f"expected a JSON array of 1 to {MAX_BATCH} envelopes", code="batch_invalid"
        )
    raws = [canonical(item) if isinstance(item, dict) else b"" for item in items]
    answers = await run_in_threadpool(receive_batch, node, raws)
    return Response(b"[" + b",".join(answers) + b"]", media_type=ACK_MEDIA_TYPE)


async def _read(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise OversizedEnvelopeError(f"request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/node", response_model=NodeCard)
def get_node_card(ctx: ContextDep) -> NodeCard:
    """This node's agency and public keys, with their fingerprints."""
    node = _node(ctx)
    keyring = node.keys.get()
    with ctx.session_factory() as session:
        agency = session.get(Agency, node.agency_code)
        if agency is None:
            raise NotFoundError("this node has no local agency", code="node_missing")
        signing = keyring.current.signing_public
        encryption = keyring.current.encryption_public
        return NodeCard(
            agency_code=agency.code,
            name_en=agency.name_en,
            name_fr=agency.name_fr,
            name_ar=agency.name_ar,
            country=agency.country,
            endpoint_url=ctx.settings.public_url,
            signing_key=signing,
            encryption_key=encryption,
            signing_fingerprint=fingerprint(signing),
            encryption_fingerprint=fingerprint(encryption),
            schema_version=SCHEMA_VERSION,
            transports=["http", "nats"] if node.settings.nats_url else ["http"],
        )
