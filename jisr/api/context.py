"""What the running app holds: settings, the engine, the local agency and the few long-lived
objects of its domains, each a typed field. No module globals, no bag of services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from jisr.db import SessionFactory
from jisr.federation.handlers import HandlerRegistry
from jisr.federation.node import FederationNode
from jisr.settings import JisrSettings
from jisr.watchlists.cache import ScreenerCache

if TYPE_CHECKING:
    # The console builds on the API, not the other way round: only the type is named here.
    from jisr.web.registry import PageArea


@dataclass
class AppContext:
    settings: JisrSettings
    engine: Engine
    session_factory: SessionFactory
    # Code of the agency this node belongs to (read from the database at start-up).
    agency_code: str
    # Envelope type -> handler, assembled from every module by the composition root.
    handlers: HandlerRegistry
    # The console's page areas, in navigation order.
    console: tuple[PageArea, ...] = ()
    # The screener over the node's watchlists (API, console and start-up warm-up share it).
    screener: ScreenerCache = field(default_factory=ScreenerCache)
    # Federation of the running node (keys, registry, settings); set by its start-up hook.
    federation: FederationNode | None = None
