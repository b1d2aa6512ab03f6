"""The identity domain's FastAPI dependencies: CSRF protection and enrolment-aware sign-in.

``CsrfProtected`` is mounted by the app factory on every router under ``/api/v1`` (a route
cannot forget it): a state-changing request authenticated by the console cookie must echo the
session's CSRF token in the ``X-CSRF-Token`` header, whatever its body (JSON, form, multipart);
bearer-token requests (no ambient credential) are exempt, and so is signing in, which changes
no existing session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from jisr.actors import Actor
from jisr.api.deps import SessionDep, SettingsDep
from jisr.errors import AuthenticationError, PermissionDeniedError
from jisr.identity import auth
from jisr.identity.models import LoginSession, User
from jisr.settings import JisrSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_EXEMPT_PATHS = frozenset({"/api/v1/auth/login"})
# Same schemes (and so the same OpenAPI security entries) as ``jisr.api.deps``.
_bearer = HTTPBearer(auto_error=False, description="API token issued by `POST /api/v1/tokens`")
_cookie = APIKeyCookie(name=auth.SESSION_COOKIE, auto_error=False)


def require_csrf(
    request: Request,
    session: SessionDep,
    csrf_token: Annotated[
        str | None,
        Header(
            alias=auth.CSRF_HEADER,
            description="The csrf_token from sign-in; required with the session cookie.",
        ),
    ] = None,
) -> None:
    if request.method in SAFE_METHODS or request.url.path in CSRF_EXEMPT_PATHS:
        return
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return  # get_actor authenticates by the token and ignores the cookie
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    if cookie:
        auth.check_csrf(session, cookie, csrf_token)


CsrfProtected = Depends(require_csrf)


def set_session_cookie(response: Response, settings: JisrSettings, value: str) -> None:
    """The console session cookie: never readable by scripts, never sent cross-site, HTTPS only
    outside dev mode."""
    response.set_cookie(
        auth.SESSION_COOKIE,
        value,
        httponly=True,
        secure=not settings.is_dev,
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response, settings: JisrSettings) -> None:
    response.delete_cookie(
        auth.SESSION_COOKIE,
        httponly=True,
        secure=not settings.is_dev,
        samesite="strict",
        path="/",
    )


@dataclass(frozen=True)
class Principal:
    """Who is calling, by which credential; ``login`` is None for API tokens."""

    actor: Actor
    user: User
    login: LoginSession | None

    @property
    def enrolment_only(self) -> bool:
        return self.login is not None and self.login.enrolment_only


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """Like ``CurrentActor`` but also admits an enrolment-only session (for ``/auth/*``)."""
    if bearer is not None:
        actor = auth.actor_from_token(session, settings, bearer.credentials)
        user = session.get(User, actor.id)
        if user is None:  # pragma: no cover - actor_from_token has just loaded it
            raise AuthenticationError("unknown user", code="token_invalid")
        return Principal(actor, user, None)
    if cookie:
        user, login = auth.login_from_cookie(session, settings, cookie, allow_enrolment=True)
        return Principal(auth.actor_for(user), user, login)
    raise AuthenticationError("sign in or present an API token", code="authentication_required")


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_console_principal(principal: CurrentPrincipal) -> Principal:
    """A signed-in person at the console: enrolling an authenticator needs one, not a token."""
    if principal.login is None:
        raise PermissionDeniedError(
            "authenticators are enrolled from a console session, not with an API token",
            code="console_session_required",
        )
    return principal


ConsolePrincipal = Annotated[Principal, Depends(get_console_principal)]
