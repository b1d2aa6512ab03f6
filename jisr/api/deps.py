"""Typed dependencies: the request's context, settings, unit of work and authenticated actor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, Role
from jisr.api.context import AppContext
from jisr.db import unit_of_work
from jisr.errors import AuthenticationError, PermissionDeniedError
from jisr.identity import auth
from jisr.settings import JisrSettings

_bearer = HTTPBearer(auto_error=False, description="API token issued by `POST /api/v1/tokens`")
_cookie = APIKeyCookie(name=auth.SESSION_COOKIE, auto_error=False)


def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_settings(ctx: ContextDep) -> JisrSettings:
    return ctx.settings


SettingsDep = Annotated[JisrSettings, Depends(get_settings)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on any error."""
    with unit_of_work(ctx.session_factory) as session:
        yield session


# Function scope: the transaction commits before the response is sent, so a client that gets
# its answer and at once sends the next request always reads what the first one wrote.
# (FastAPI's default for a generator dependency is to finish after the response is sent.)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_actor(
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Actor:
    if bearer is not None:
        return auth.actor_from_token(session, settings, bearer.credentials)
    if cookie:
        return auth.actor_from_session(session, settings, cookie)
    raise AuthenticationError("sign in or present an API token", code="authentication_required")


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require_role(*roles: str) -> Callable[[Actor], Actor]:
    """A dependency admitting signed-in users holding any of ``roles``."""

    def dependency(actor: CurrentActor) -> Actor:
        if actor.kind is not ActorKind.USER or not (actor.roles & set(roles)):
            raise PermissionDeniedError(f"this needs one of the roles: {', '.join(roles)}")
        return actor

    return dependency


AdminActor = Annotated[Actor, Depends(require_role(Role.ADMIN))]
AuditorActor = Annotated[Actor, Depends(require_role(Role.AUDITOR, Role.DPO, Role.ADMIN))]
