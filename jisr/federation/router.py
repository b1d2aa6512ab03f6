"""Federation endpoints: the inbox partners post envelopes to, and this node's public card.

No bearer token: an envelope authenticates itself (the sender's pinned signing key).
"""

from __future__ import annotations

import math

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from jisr import jsonlimits
from jisr.agreements.parties import Agency
from jisr.api.deps import ContextDep
from jisr.api.problems import problem_response
from jisr.errors import NotFoundError, UnavailableError, ValidationError
from jisr.federation.envelope import SCHEMA_VERSION, canonical
from jisr.federation.errors import OversizedEnvelopeError
from jisr.federation.keys import fingerprint
from jisr.federation.node import FederationNode
from jisr.federation.ratelimit import RATE_LIMITED
from jisr.federation.refusals import count_refusal
from jisr.federation.schemas import NodeCard
from jisr.federation.worker import receive_batch, receive_one

router = APIRouter(prefix="/federation/v1", tags=["federation"])
log = structlog.get_logger("jisr.federation")
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
        429: {"description": "Too many requests from this source (Retry-After)"},
    },
)
async def post_inbox(request: Request, ctx: ContextDep) -> Response:
    """Receive one envelope; answers with a signed acknowledgement or a signed rejection."""
    if (limited := rate_limited(request, ctx, "inbox")) is not None:
        return limited
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
        429: {"description": "Too many requests from this source (Retry-After)"},
    },
)
async def post_inbox_batch(request: Request, ctx: ContextDep) -> Response:
    """Receive a JSON array of envelopes in one transaction; answers each, in order."""
    if (limited := rate_limited(request, ctx, "inbox_batch")) is not None:
        return limited
    node = _node(ctx)
    limit = node.settings.max_envelope_bytes * BATCH_FACTOR
    body = await _read(request, limit)
    try:
        # Depth-limited: a batch nested 200,000 deep would exhaust the parser's stack.
        items = jsonlimits.loads(body, max_bytes=limit)
    except (ValueError, jsonlimits.JsonLimitError):
        items = None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        count_refusal("batch_invalid", authenticated=False)
        raise ValidationError(
            f"expected a JSON array of 1 to {MAX_BATCH} envelopes", code="batch_invalid"
        )
    raws = [canonical(item) if isinstance(item, dict) else b"" for item in items]
    answers = await run_in_threadpool(receive_batch, node, raws)
    return Response(b"[" + b",".join(answers) + b"]", media_type=ACK_MEDIA_TYPE)


def rate_limited(request: Request, ctx: ContextDep, endpoint: str) -> Response | None:
    """None when the source may go on; else the 429 problem to answer with."""
    node = _node(ctx)
    source = request.client.host if request.client else "unknown"
    wait = node.limiter.take(source)
    if wait <= 0:
        return None
    RATE_LIMITED.labels(endpoint=endpoint).inc()
    log.info("federation request rate-limited", source=source, endpoint=endpoint)
    seconds = max(1, math.ceil(wait))
    response = problem_response(
        request,
        429,
        "rate_limited",
        "Too many requests",
        f"too many federation requests from this source; retry in {seconds} s",
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def _read(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            count_refusal(OversizedEnvelopeError.code, authenticated=False)
            raise OversizedEnvelopeError(f"request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/node", response_model=NodeCard, responses={429: {"description": "Too many"}})
def get_node_card(request: Request, ctx: ContextDep) -> NodeCard | Response:
    """This node's agency and public keys, with their fingerprints."""
    if (limited := rate_limited(request, ctx, "node")) is not None:
        return limited
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
