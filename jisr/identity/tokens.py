"""API tokens for partner and in-house systems: scoped, expiring, stored as SHA-256 only."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
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

    Users issue tokens for themselves only: an administrator manages accounts but never acts
    under another's name, so minting for someone else is refused (the node's operator, at the
    machine through the CLI, may still issue one for a system account; audited as privilege
    use). A token-authenticated caller cannot mint a token with scopes its own token lacks or
    that outlives it, and the new token is revoked with it.
    """
    user = get_user(session, user_id)
    if user.id != actor.id:
        if actor.kind is ActorKind.USER:
            raise PermissionDeniedError(
                "tokens act as the person who mints them; administrators cannot mint one "
                "for another account",
                code="token_for_other_user",
            )
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
    now = utcnow()
    expires_at = now + timedelta(days=days)
    parent = _parent_token(session, actor)
    if parent is not None and expires_at > parent.expires_at:
        raise PermissionDeniedError(
            "a token cannot outlive the token that mints it (expires "
            f"{parent.expires_at:%Y-%m-%d %H:%M} UTC)",
            code="token_expiry_exceeded",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id(user.agency_code, "token"),
        user_id=user.id,
        name=name,
        token_hash=digest(raw),
        scopes=sorted(wanted),
        created_at=now,
        expires_at=expires_at,
        parent_id=parent.id if parent is not None else None,
    )
    session.add(token)
    session.flush()
    _audit(session, actor, token, "issued", days=days, scopes=token.scopes)
    return raw, token


def revoke_token(session: Session, actor: Actor, token_id: str) -> ApiToken:
    """Revoke at once, with every token it minted (and they minted); idempotent."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no API token {token_id}", code="token_not_found")
    if token.user_id != actor.id:
        require_admin(session, actor)
    now = utcnow()
    pending = [token]
    while pending:
        current = pending.pop()
        if current.revoked_at is None:
            current.revoked_at = now
            _audit(session, actor, current, "revoked", cascade_from=_cascade(token, current))
        children = select(ApiToken).where(ApiToken.parent_id == current.id)
        pending.extend(session.execute(children).scalars())
    return token


def _cascade(root: ApiToken, current: ApiToken) -> str | None:
    return None if current is root else root.id


def _parent_token(session: Session, actor: Actor) -> ApiToken | None:
    """The live token the actor is authenticated by, if any."""
    if actor.token_id is None:
        return None
    parent = session.get(ApiToken, actor.token_id)
    if parent is None or parent.revoked_at is not None:
        raise PermissionDeniedError("the minting token is revoked", code="token_invalid")
    return parent


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
