"""Signing in and out of the console, and enrolling the TOTP second factor.

Outside dev mode every human user signs in with password *and* TOTP. A user without an enrolled
authenticator (new account, or after an administrator's ``reset_mfa``) who gives the right
password gets an *enrolment-only* session: it lasts ``ENROLMENT_MINUTES``, every endpoint but
``/auth/me``, ``/auth/logout`` and ``/auth/totp/*`` refuses it (``mfa_enrolment_required``), and
confirming the authenticator ends it, so the user then signs in again with a fresh code. In dev
mode such a user gets a full session with the password alone.

Failures are *returned* by ``attempt_login`` and written (counter, lock, audit entry) in the
caller's session; ``login`` commits them before raising, so a refused request still leaves its
trace and counts toward the lockout.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.errors import AuthenticationError, ConflictError
from jisr.identity.accounts import local_agency_code
from jisr.identity.auth import actor_for, digest
from jisr.identity.errors import (
    AccountLockedError,
    InvalidCredentialsError,
    MfaInvalidError,
    MfaRequiredError,
)
from jisr.identity.models import LoginSession, User
from jisr.identity.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
    waste_verification,
)
from jisr.identity.totp import decrypt_seed, encrypt_seed, matching_step, new_seed, provisioning_uri
from jisr.settings import JisrSettings

SESSION_MAX_HOURS = 12
ENROLMENT_MINUTES = 15
_BAD_CREDENTIALS = "wrong username or password"


@dataclass(frozen=True)
class LoginResult:
    user: User
    # The raw cookie value; only its SHA-256 is stored.
    cookie: str
    csrf_token: str
    expires_at: datetime
    enrolment_only: bool


@dataclass(frozen=True)
class LoginAttempt:
    """Exactly one of ``result`` and ``error`` is set."""

    result: LoginResult | None = None
    error: AuthenticationError | None = None


def login(
    source: Session | SessionFactory,
    settings: JisrSettings,
    username: str,
    password: str,
    totp_code: str | None = None,
) -> LoginResult:
    """Sign in. Commits (its own unit of work for a factory, else ``source``) even on failure."""
    if isinstance(source, Session):
        attempt = attempt_login(source, settings, username, password, totp_code)
        source.commit()
    else:
        with unit_of_work(source) as session:
            attempt = attempt_login(session, settings, username, password, totp_code)
    if attempt.error is not None:
        raise attempt.error
    assert attempt.result is not None  # noqa: S101 - LoginAttempt's invariant
    return attempt.result


def attempt_login(
    session: Session,
    settings: JisrSettings,
    username: str,
    password: str,
    totp_code: str | None,
) -> LoginAttempt:
    """Check credentials, update counters and audit; never raises for a refused sign-in."""
    now = utcnow()
    name = username.strip().lower()
    user = session.execute(
        select(User).where(User.username == name).with_for_update()
    ).scalar_one_or_none()
    if user is None:
        waste_verification(password)
        anonymous = Actor(ActorKind.USER, "unknown", local_agency_code(session), label=name[:64])
        return _refuse(session, anonymous, None, "unknown_user", InvalidCredentialsError)
    if user.locked_until is not None and user.locked_until > now:
        until = user.locked_until.strftime("%H:%M UTC")
        locked = AccountLockedError(f"too many failed sign-ins; account locked until {until}")
        return _refuse(session, actor_for(user), user, "locked", locked)
    if not verify_password(user.password_hash, password):
        return _count_failure(session, settings, user, "wrong_password", InvalidCredentialsError)
    if user.disabled:
        return _refuse(session, actor_for(user), user, "disabled", InvalidCredentialsError)
    if user.mfa_enabled and user.totp_secret is not None:
        if not totp_code:
            missing = MfaRequiredError("enter the 6-digit code from your authenticator")
            return _refuse(session, actor_for(user), user, "mfa_required", missing)
        seed = decrypt_seed(settings.secret, user.totp_secret)
        step = matching_step(seed, totp_code, at=now, last_step=user.totp_last_step)
        if step is None:
            wrong = MfaInvalidError("the code is wrong, expired or already used")
            return _count_failure(session, settings, user, "mfa_invalid", wrong)
        user.totp_last_step = step
        enrolment_only, method = False, "totp"
    else:
        enrolment_only = not settings.is_dev
        method = "enrolment_only" if enrolment_only else "password_dev"
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    result = _open_session(session, settings, user, now, enrolment_only)
    record(session, actor_for(user), AuditAction.LOGIN, "user", user.id, details={"mfa": method})
    return LoginAttempt(result=result)


def _open_session(
    session: Session, settings: JisrSettings, user: User, now: datetime, enrolment_only: bool
) -> LoginResult:
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    lifetime = (
        timedelta(minutes=ENROLMENT_MINUTES)
        if enrolment_only
        else timedelta(hours=SESSION_MAX_HOURS)
    )
    expires = now + lifetime
    session.add(
        LoginSession(
            id=digest(cookie),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=expires,
            enrolment_only=enrolment_only,
        )
    )
    session.flush()
    return LoginResult(user, cookie, csrf, expires, enrolment_only)


def _refuse(
    session: Session,
    actor: Actor,
    user: User | None,
    reason: str,
    error: AuthenticationError | type[AuthenticationError],
    **details: object,
) -> LoginAttempt:
    if isinstance(error, type):
        error = error(_BAD_CREDENTIALS)
    record(
        session,
        actor,
        AuditAction.LOGIN_FAILED,
        "user",
        user.id if user else None,
        details={"reason": reason, **details},
    )
    return LoginAttempt(error=error)


def _count_failure(
    session: Session,
    settings: JisrSettings,
    user: User,
    reason: str,
    error: AuthenticationError | type[AuthenticationError],
) -> LoginAttempt:
    user.failed_logins += 1
    if user.failed_logins < settings.login_max_failures:
        return _refuse(session, actor_for(user), user, reason, error, failures=user.failed_logins)
    failures = user.failed_logins
    user.failed_logins = 0
    user.locked_until = utcnow() + timedelta(minutes=settings.lockout_minutes)
    locked = AccountLockedError(
        f"too many failed sign-ins; account locked for {settings.lockout_minutes} minutes"
    )
    return _refuse(session, actor_for(user), user, reason, locked, failures=failures, locked=True)


def logout(session: Session, cookie: str) -> None:
    """End the console session behind ``cookie`` (unknown or ended sessions are ignored)."""
    login_session = session.get(LoginSession, digest(cookie))
    if login_session is not None:
        end_login(session, login_session)


def end_login(session: Session, login_session: LoginSession) -> None:
    if login_session.revoked_at is not None:
        return
    login_session.revoked_at = utcnow()
    user = session.get(User, login_session.user_id)
    if user is not None:
        actor = actor_for(user)
        record(session, actor, AuditAction.LOGIN, "user", user.id, details={"event": "logout"})


def begin_totp_enrolment(session: Session, settings: JisrSettings, user: User) -> tuple[str, str]:
    """A new seed for ``user`` (stored encrypted, not yet active): ``(secret, otpauth_uri)``."""
    if user.mfa_enabled:
        raise ConflictError(
            "an authenticator is already enrolled; an administrator must reset it first",
            code="mfa_already_enrolled",
        )
    seed = new_seed()
    user.totp_secret = encrypt_seed(settings.secret, seed)
    user.totp_last_step = None
    record(
        session,
        actor_for(user),
        AuditAction.CONFIG_CHANGE,
        "user",
        user.id,
        details={"event": "mfa_enrolment_started"},
    )
    return seed, provisioning_uri(seed, user.username, user.agency_code)


def confirm_totp_enrolment(session: Session, settings: JisrSettings, user: User, code: str) -> User:
    """Activate the seed once the user proves their authenticator shows the right code."""
    if user.mfa_enabled:
        raise ConflictError("an authenticator is already enrolled", code="mfa_already_enrolled")
    if user.totp_secret is None:
        raise ConflictError("start enrolment first", code="mfa_enrolment_not_started")
    seed = decrypt_seed(settings.secret, user.totp_secret)
    step = matching_step(seed, code, at=utcnow(), last_step=user.totp_last_step)
    if step is None:
        raise MfaInvalidError("the code does not match; check the authenticator's clock")
    user.mfa_enabled = True
    user.totp_last_step = step
    session.execute(
        update(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.enrolment_only.is_(True),
            LoginSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    record(
        session,
        actor_for(user),
        AuditAction.CONFIG_CHANGE,
        "user",
        user.id,
        details={"event": "mfa_enrolled"},
    )
    return user
