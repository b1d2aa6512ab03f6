"""The audit domain as the node sees it: the hash-chained trail and its Merkle tree, its API and
page. Its commands and the witnessing are ``jisr.witness`` (they need federation)."""

from __future__ import annotations

from jisr.modules import (
    DomainModule,
    DomainParts,
    RouterMount,
    SessionListener,
    migrations_of,
)


def _models() -> None:
    import jisr.audit.models  # noqa: F401


def _parts() -> DomainParts:
    from jisr.audit.router import router
    from jisr.web.pages import audit
    from jisr.web.registry import PageArea

    return DomainParts(
        routers=(RouterMount(router),),
        console=(PageArea(audit.router, audit.NAV, audit.attention, rank=100),),
    )


def _listeners() -> tuple[SessionListener, ...]:
    from jisr.audit.service import chain_entries

    # Entries recorded in a transaction are numbered and chained when it flushes.
    return (SessionListener("before_flush", chain_entries),)


MODULE = DomainModule(
    name="audit",
    models=_models,
    migrations=migrations_of(__file__),
    listeners=_listeners,
    parts=_parts,
)
