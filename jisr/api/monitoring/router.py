"""``GET /metrics`` for Prometheus: loopback clients only, unless a token is configured."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from jisr.api.deps import ContextDep
from jisr.api.monitoring.collector import DatabaseCollector
from jisr.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from jisr.observability.exposition import render
from jisr.observability.settings import ObservabilitySettings

router = APIRouter(tags=["observability"])
_bearer = HTTPBearer(auto_error=False, description="JISR_OBSERVABILITY_METRICS_TOKEN")
# The app's database collector (one per app, so its cache is shared by its scrapes).
COLLECTOR_STATE = "jisr_metrics_collector"


def _settings(ctx: ContextDep) -> ObservabilitySettings:
    return ctx.settings.section(ObservabilitySettings)


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_scraper(
    request: Request,
    ctx: ContextDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """A scraper presents the metrics token; without a configured token, only loopback."""
    settings = _settings(ctx)
    if not settings.metrics_enabled:
        raise NotFoundError("metrics are turned off on this node", code="metrics_off")
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if token:
        given = bearer.credentials if bearer is not None else ""
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise AuthenticationError("present the metrics token", code="metrics_token_required")
        return
    if not _is_loopback(request):
        raise PermissionDeniedError(
            "metrics answer loopback clients only (set JISR_OBSERVABILITY_METRICS_TOKEN)",
            code="metrics_loopback_only",
        )


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_scraper)],
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"},
        401: {"description": "Token required"},
        403: {"description": "Not a loopback client"},
    },
)
async def metrics(request: Request, ctx: ContextDep) -> Response:
    """Request, federation, audit and queue metrics in Prometheus' text format."""
    collector = getattr(request.app.state, COLLECTOR_STATE, None)
    if not isinstance(collector, DatabaseCollector):
        cache = _settings(ctx).metrics_cache_seconds
        collector = DatabaseCollector(ctx.session_factory, cache)
        setattr(request.app.state, COLLECTOR_STATE, collector)
    body = await run_in_threadpool(render, collector)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
