"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from jisr.api.deps import ContextDep
from jisr.errors import UnavailableError

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    agency: str


@router.get("/healthz", response_model=Health)
def healthz(ctx: ContextDep) -> Health:
    """The process is up."""
    return Health(status="ok", agency=ctx.agency_code)


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"description": "The database is unreachable"}},
)
def readyz(ctx: ContextDep) -> Health:
    """The process can serve requests: the database answers."""
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        raise UnavailableError("the database is unreachable", code="database_unavailable") from None
    return Health(status="ok", agency=ctx.agency_code)
