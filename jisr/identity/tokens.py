"""API tokens for partner and in-house systems: scoped, expiring, stored as SHA-256 only."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import check
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from jisr.identity.access import require_admin
from jisr.identity.accounts import get_user
from jisr.identity.auth import TOKEN_PREFIX, digest
from jisr.identity.models import ApiToken
from jisr.identity.schemas import SCOPES, TOKEN_MAX_DAYS
from jisr.ids import new_id


def issue_token(
    session: Session,
    actor: Actor,
    user_id: str,
    name: str,
    scopes: Sequence[str],
    days: int,
) -> tuple[str, ApiToken]:
    """A new token acting as ``user_id``: ``(raw, row)``; the raw value is never stored.

    Users issue tokens for themselves; administrators for anyone. A token-authenticated caller
    cannot mint a token with scopes its own token lacks.
    """
    user = get_user(session, user_id)
    if user.id != actor.id:
        require_admin(session, actor)
    if user.disabled:
        raise ConflictError(f"user {user.username} is disabled", code="user_disabled")
    wanted = set(scopes)
    unknown = sorted(wanted - set(SCOPES))
    if not wanted or unknown:
        raise ValidationError(
            f"scopes must be among {', '.join(SCOPES)}; got {', '.join(unknown) or 'none'}",
            code="scope_invalid",
        )
    if actor.scopes is not None and "*" not in actor.scopes and not wanted <= actor.scopes:
        raise PermissionDeniedError(
            "a token cannot grant scopes its issuer lacks", code="scope_exceeded"
        )
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError(f"days must be 1-{TOKEN_MAX_DAYS}", code="token_days_invalid")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        id=new_id(user.agency_code, "token"),
        user_id=user.id,
        name=name,
        token_hash=digest(raw),
        scopes=sorted(wanted),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    _audit(session, actor, token, "issued", days=days, scopes=token.scopes)
    return raw, token


def revoke_token(session: Session, actor: Actor, token_id: str) -> ApiToken:
    """Revoke at once; revoking a revoked token changes nothing."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no API token {token_id}", code="token_not_found")
    if token.user_id != actor.id:
        require_admin(session, actor)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        _audit(session, actor, token, "revoked")
    return token


def list_tokens(session: Session, actor: Actor, user_id: str | None = None) -> Sequence[ApiToken]:
    """Tokens of ``user_id``; without it, everyone's for an administrator, else the caller's."""
    stmt = select(ApiToken).order_by(ApiToken.created_at, ApiToken.id)
    if user_id is not None:
        if user_id != actor.id:
            require_admin(session, actor)
        stmt = stmt.where(ApiToken.user_id == user_id)
    elif not check(
        session, actor, Action.ADMINISTER, Resource(ResourceKind.USER, actor.agency_code)
    ):
        stmt = stmt.where(ApiToken.user_id == actor.id)
    return session.execute(stmt).scalars().all()


def _users_of(actor: Actor) -> Resource:
    return Resource(ResourceKind.USER, actor.agency_code)


def _audit(session: Session, actor: Actor, token: ApiToken, event: str, **details: object) -> None:
    # Acting on someone else's credentials is a use of privilege; on one's own, a change.
    action = AuditAction.CONFIG_CHANGE if token.user_id == actor.id else AuditAction.PRIVILEGE_USE
    record(
        session,
        actor,
        action,
        "api_token",
        token.id,
        details={"event": event, "user_id": token.user_id, "name": token.name, **details},
    )
