"""The routers and start-up hooks the app factory mounts, by module path.

A domain adds one line here; the factory imports lazily so a domain never imports ``api``.
"""

from __future__ import annotations

# (module exposing ``router: APIRouter``, URL prefix)
ROUTERS: tuple[tuple[str, str], ...] = (
    ("jisr.identity.router", "/api/v1"),
    ("jisr.agreements.router", "/api/v1"),
    ("jisr.audit.router", "/api/v1"),
    ("jisr.exchange.router", "/api/v1"),
    ("jisr.notices.router", "/api/v1"),
    ("jisr.federation.router", ""),
    ("jisr.watchlists.router", "/api/v1"),
    ("jisr.rights.router", "/api/v1"),
    ("jisr.graph.router", "/api/v1"),
)

# Modules exposing ``lifespan_hook(ctx: AppContext) -> AbstractAsyncContextManager[None]``,
# entered in order at start-up and left in reverse order at shut-down.
LIFESPAN_HOOKS: tuple[str, ...] = (
    "jisr.federation.worker",
    "jisr.watchlists.worker",
    "jisr.notices.worker",
    "jisr.exchange.worker",
    "jisr.graph.worker",
)
