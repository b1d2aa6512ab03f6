"""The app factory: one FastAPI app per node, built from settings."""

from __future__ import annotations

import gc
import importlib
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, cast

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from jisr import __version__
from jisr.api.context import AppContext
from jisr.api.health import router as health_router
from jisr.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from jisr.api.problems import install_error_handlers
from jisr.api.routers import LIFESPAN_HOOKS, ROUTERS
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.migrate import require_current
from jisr.identity.service import local_agency_code
from jisr.settings import JisrSettings

CONSOLE_MODULE = "jisr.web.console"
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


def create_app(settings: JisrSettings, *, engine: Engine | None = None) -> FastAPI:
    """Build the node's app; refuses to start on an outdated schema or an uninitialised node."""
    engine = engine or make_engine(settings.effective_database_url)
    require_current(engine)
    factory = make_session_factory(engine, settings.data_dir)
    with unit_of_work(factory) as session:
        agency = local_agency_code(session)
    ctx = AppContext(settings, engine, factory, agency)

    app = FastAPI(
        title="Jisr",
        version=__version__,
        summary="Secure, lawful cooperation between partner security agencies",
        lifespan=_lifespan(ctx),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    # The console (HTML pages under ``/``) sits on the same app; imported lazily like routers.
    importlib.import_module(CONSOLE_MODULE).install_console(app)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_body_bytes,
        exempt_prefixes=STREAMING_PREFIXES,
        exempt_paths=STREAMING_PATHS,
    )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health_router)
    for module, prefix in ROUTERS:
        router = cast(APIRouter, importlib.import_module(module).router)
        app.include_router(router, prefix=prefix)
    return app


def _lifespan(ctx: AppContext) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for module in LIFESPAN_HOOKS:
                hook: Any = importlib.import_module(module).lifespan_hook
                await stack.enter_async_context(hook(ctx))
            if ctx.settings.gc_freeze:
                gc.collect()
                gc.freeze()
            yield
        ctx.engine.dispose()

    return lifespan
