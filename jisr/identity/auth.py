"""Turning a bearer token or a console cookie into an ``Actor``; the CSRF check for cookies.

Only SHA-256 digests of tokens are stored, so a database leak does not leak credentials.
A session marked ``enrolment_only`` (password accepted, TOTP not yet enrolled) is refused here:
only the enrolment endpoints accept it, through ``login_from_cookie(allow_enrolment=True)``.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.clock import utcnow
from jisr.errors import AuthenticationError
from jisr.identity.errors import CsrfError, MfaEnrolmentRequiredError
from jisr.identity.models import ApiToken, LoginSession, User
from jisr.identity.touch import stamp_later
from jisr.settings import JisrSettings

SESSION_COOKIE = "jisr_session"
TOKEN_PREFIX = "jisr_"  # noqa: S105 - a prefix, not a secret
CSRF_HEADER = "X-CSRF-Token"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def actor_for(
    user: User, scopes: frozenset[str] | None = None, token_id: str | None = None
) -> Actor:
    return Actor(
        ActorKind.USER,
        user.id,
        user.agency_code,
        frozenset(user.roles),
        label=user.username,
        scopes=scopes,
        token_id=token_id,
    )


def actor_from_token(session: Session, settings: JisrSettings, raw: str) -> Actor:
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == digest(raw))
    ).scalar_one_or_none()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise AuthenticationError("unknown or revoked API token", code="token_invalid")
    if token.expires_at <= now:
        raise AuthenticationError("API token has expired", code="token_expired")
    user = session.get(User, token.user_id)
    if user is None or user.disabled:
        raise AuthenticationError("the token's user is disabled", code="user_disabled")
    stamp_later(session, token, now)
    return actor_for(user, frozenset(token.scopes), token.id)


def actor_from_session(session: Session, settings: JisrSettings, cookie: str) -> Actor:
    user, _login = login_from_cookie(session, settings, cookie, allow_enrolment=False)
    return actor_for(user)


def login_from_cookie(
    session: Session, settings: JisrSettings, cookie: str, *, allow_enrolment: bool
) -> tuple[User, LoginSession]:
    """The live console session behind ``cookie`` and its user; touches its idle clock."""
    login = session.get(LoginSession, digest(cookie))
    now = utcnow()
    if login is None or login.revoked_at is not None or login.expires_at <= now:
        raise AuthenticationError("session expired; sign in again", code="session_expired")
    if now - login.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        login.revoked_at = now
        raise AuthenticationError("session idle too long; sign in again", code="session_expired")
    user = session.get(User, login.user_id)
    if user is None or user.disabled:
        raise AuthenticationError("account disabled", code="user_disabled")
    if login.enrolment_only and not allow_enrolment:
        raise MfaEnrolmentRequiredError(
            "enrol a TOTP authenticator (POST /api/v1/auth/totp/enrol) before anything else"
        )
    stamp_later(session, login, now)
    return user, login


def check_csrf(session: Session, cookie: str, presented: str | None) -> None:
    """Refuse a state-changing request made with a session cookie but without its CSRF token.

    An unknown cookie passes here: authentication refuses it anyway, with a clearer error.
    """
    login = session.get(LoginSession, digest(cookie))
    if login is None:
        return
    if not presented or not hmac.compare_digest(presented.encode(), login.csrf_token.encode()):
        raise CsrfError(f"missing or wrong {CSRF_HEADER} header for this session")
