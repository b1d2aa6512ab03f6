"""Identity services: agencies, users, credentials."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.errors import ConfigError
from jisr.identity.models import Agency


def local_agency_code(session: Session) -> str:
    """The code of the agency this node belongs to; fails clearly on an uninitialised node."""
    code = session.execute(select(Agency.code).where(Agency.is_local.is_(True))).scalar()
    if code is None:
        raise ConfigError("this node has no local agency; run `jisr init`", code="node_missing")
    return code
