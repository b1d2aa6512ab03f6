"""What the running app holds: settings, the engine and the local agency. No module globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from jisr.db import SessionFactory
from jisr.settings import JisrSettings


@dataclass
class AppContext:
    settings: JisrSettings
    engine: Engine
    session_factory: SessionFactory
    # Code of the agency this node belongs to (read from the database at start-up).
    agency_code: str
    # Long-lived objects domains attach at start-up (screener, federation worker...), by name.
    services: dict[str, Any] = field(default_factory=dict)
