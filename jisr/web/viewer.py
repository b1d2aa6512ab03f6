"""Who is looking at a console page: the signed-in user behind the session cookie.

Console routes take ``ViewerDep`` (any signed-in user) or ``viewer_with(*roles)``; a missing,
expired or idle session raises ``SignInRequiredError``, which the console turns into a redirect
to the sign-in page that comes back to the page afterwards. Pages that show operational data
call ``record_view`` so the consultation is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.api.deps import SessionDep, SettingsDep
from jisr.audit import AuditAction, record
from jisr.errors import AuthenticationError, PermissionDeniedError
from jisr.identity import auth
from jisr.identity.models import LoginSession, User


class SignInRequiredError(AuthenticationError):
    """No live console session: the console redirects to sign-in (and back afterwards)."""

    code = "sign_in_required"


class EnrolmentRequiredError(PermissionDeniedError):
    """A password-only session: the console redirects to the authenticator enrolment page."""

    code = "mfa_enrolment_required"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user. What pages show of them is copied here when the request starts, so
    an error page can still be drawn after the request's session has rolled back and closed
    (the ORM rows ``user`` and ``login`` are then detached and must not be read)."""

    user: User
    login: LoginSession
    actor: Actor
    user_id: str
    display_name: str
    agency_code: str
    language: str
    csrf_token: str
    roles: frozenset[str]

    @classmethod
    def of(cls, user: User, login: LoginSession) -> Viewer:
        return cls(
            user=user,
            login=login,
            actor=auth.actor_for(user),
            user_id=user.id,
            display_name=user.display_name,
            agency_code=user.agency_code,
            language=user.language,
            csrf_token=login.csrf_token,
            roles=frozenset(user.roles),
        )

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def _login(request: Request, session: Session, settings: Any, *, enrolment: bool) -> Viewer:
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    if not cookie:
        raise SignInRequiredError("sign in to continue")
    try:
        user, login = auth.login_from_cookie(session, settings, cookie, allow_enrolment=True)
    except AuthenticationError as exc:
        # The idle check revokes the session; keep that even though the request fails.
        session.commit()
        raise SignInRequiredError(exc.detail) from None
    if login.enrolment_only and not enrolment:
        raise EnrolmentRequiredError("enrol an authenticator first")
    viewer = Viewer.of(user, login)
    request.state.viewer = viewer
    return viewer


def current_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> Viewer:
    return _login(request, session, settings, enrolment=False)


def enrolling_viewer(request: Request, session: SessionDep, settings: SettingsDep) -> Viewer:
    """A console session that may still be enrolment-only (the enrolment page itself)."""
    return _login(request, session, settings, enrolment=True)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
EnrollingViewerDep = Annotated[Viewer, Depends(enrolling_viewer)]


def viewer_with(*roles: str) -> Callable[[Viewer], Viewer]:
    """A dependency admitting signed-in users holding any of ``roles``."""

    def dependency(viewer: ViewerDep) -> Viewer:
        if not viewer.has_role(*roles):
            raise PermissionDeniedError(f"this page needs one of the roles: {', '.join(roles)}")
        return viewer

    return dependency


def record_view(
    session: Session,
    viewer: Viewer,
    object_type: str,
    object_id: str | None = None,
    **details: object,
) -> None:
    """Audit that ``viewer`` was shown operational data (a page, a list, a record)."""
    record(
        session,
        viewer.actor,
        AuditAction.CONSULTATION,
        object_type,
        object_id,
        details={"via": "console", **details},
    )
