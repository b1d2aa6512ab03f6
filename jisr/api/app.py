"""The app factory: one FastAPI app per node, from its context and what its modules mount.

The composition root (``jisr.node.create_app``) opens the context and hands over the routers,
the console installer and the start-up hooks of every domain module.
"""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from sqlalchemy import Engine

from jisr import __version__
from jisr.api.context import AppContext
from jisr.api.health import router as health_router
from jisr.api.json_guard import JsonDepthMiddleware
from jisr.api.middleware import BodyLimitMiddleware, RequestContextMiddleware, wants_hsts
from jisr.api.problems import install_error_handlers
from jisr.db import make_session_factory, unit_of_work
from jisr.db.migrate import require_current
from jisr.federation.handlers import HandlerRegistry
from jisr.identity.security import CsrfProtected
from jisr.identity.service import local_agency_code
from jisr.modules import RouterMount, StartupHook
from jisr.observability.metrics import MetricsMiddleware
from jisr.settings import JisrSettings

if TYPE_CHECKING:
    from jisr.web.registry import PageArea

# Paths that stream large bodies and enforce their own limits.
STREAMING_PREFIXES = (
    "/api/v1/attachments",
    "/api/v1/screening/manifests",
    "/api/v1/watchlists/",  # list imports (the only bodies under it); their own limit
    "/federation/v1/",
    "/api/v1/cyber/imports",  # bundles and MISP events: their own limit
    "/taxii2/",  # TAXII adds: their own limit (jisr.cyber.service.MAX_UPLOAD_BYTES)
)
# Console forms that carry attachments: read with their own limit (``attachment_max_bytes`` of
# files and room for the text, ``jisr.web.pages.exchange_actions``), only for a signed-in writer.
STREAMING_PATHS = re.compile(r"^/exchange/(compose|messages/[^/]+/reply)$")


def open_context(
    settings: JisrSettings,
    engine: Engine,
    handlers: HandlerRegistry,
    console: Sequence[PageArea],
) -> AppContext:
    """Refuses an outdated schema or an uninitialised node."""
    require_current(engine)
    factory = make_session_factory(engine, settings.data_dir)
    with unit_of_work(factory) as session:
        agency = local_agency_code(session)
    return AppContext(settings, engine, factory, agency, handlers, tuple(console))


def build_app(
    ctx: AppContext,
    *,
    routers: Sequence[RouterMount],
    install_console: Callable[[FastAPI], None],
    startup: Sequence[StartupHook],
) -> FastAPI:
    app = FastAPI(
        title="Jisr",
        version=__version__,
        summary="Secure, lawful cooperation between partner security agencies",
        lifespan=_lifespan(ctx, tuple(startup)),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    # The console (HTML pages under ``/``) sits on the same app.
    install_console(app)
    app.add_middleware(JsonDepthMiddleware, exempt_prefixes=STREAMING_PREFIXES)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=ctx.settings.max_body_bytes,
        exempt_prefixes=STREAMING_PREFIXES,
        exempt_paths=STREAMING_PATHS,
    )
    app.add_middleware(RequestContextMiddleware, hsts=wants_hsts(ctx.settings.public_url))
    app.add_middleware(MetricsMiddleware)
    app.include_router(health_router)
    for mount in routers:
        # Every API route refuses cookie-authenticated state changes without the CSRF token.
        app.include_router(mount.router, prefix=mount.prefix, dependencies=_csrf_for(mount.prefix))
    return app


def _csrf_for(prefix: str) -> list[Any]:
    return [CsrfProtected] if prefix.startswith("/api/") else []


def _lifespan(
    ctx: AppContext, hooks: tuple[StartupHook, ...]
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for hook in hooks:
                await stack.enter_async_context(hook(ctx))
            if ctx.settings.gc_freeze:
                gc.collect()
                gc.freeze()
            yield
        ctx.engine.dispose()

    return lifespan
