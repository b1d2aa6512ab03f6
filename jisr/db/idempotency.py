"""Idempotency keys: a second submission of the same create returns the first result.

A console form carries a key generated when it is rendered (``jisr.web.forms``); an API client
sends an ``Idempotency-Key`` header. The key is remembered, per signed-in principal and per kind
of create (``scope``), in the transaction that creates the record, with what was created and
a fingerprint of the request. The same key again gives that record back (a form: a redirect to
its page), never a second one; the same key with a different request is refused. Keys are kept
``KEEP``, long enough for any "back and send again", then purged by ``purge_pass``, which
``jisr serve`` runs with each request-reminder pass (``JISR_EXCHANGE_REMINDER_INTERVAL_SECONDS``;
``jisr message remind`` from cron runs it too). An expired key is never honoured, purged or not.

The table is migrated by exchange, the first domain that used it (``jisr/exchange/migrations``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base
from jisr.db.session import SessionFactory, unit_of_work
from jisr.errors import ConflictError, ValidationError

log = structlog.get_logger(__name__)
KEEP = timedelta(days=7)
MAX_KEY_LENGTH = 120
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:")


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)
    principal: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[str] = mapped_column(String(120))
    # Where a console form sends the officer back to (the page of what was created).
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@dataclass(frozen=True, slots=True)
class Replay:
    """What the first submission with this key created."""

    result_id: str
    location: str | None


class IdempotencyKeyReusedError(ConflictError):
    code = "idempotency_key_reused"


def check_key(key: str) -> str:
    """A key as given, or ``idempotency_key_invalid`` (1-120 of ``A-Za-z0-9-_.:``)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not set(key) <= _KEY_CHARS:
        raise ValidationError(
            "an idempotency key is 1 to 120 characters of A-Z a-z 0-9 - _ . :",
            code="idempotency_key_invalid",
            field="Idempotency-Key",
        )
    return key


def fingerprint(data: Any) -> str:
    """A digest of a request's content (anything JSON can hold, keys sorted)."""
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def recall(
    session: Session, scope: str, principal: str, key: str, print_: str | None = None
) -> Replay | None:
    """The first result of ``key``, or None if it was never used. With ``print_``, a key used
    for a different request is refused (``idempotency_key_reused``)."""
    row = session.get(IdempotencyKey, (scope, principal, key))
    if row is None or row.created_at < utcnow() - KEEP:
        return None
    if print_ is not None and row.fingerprint != print_:
        raise IdempotencyKeyReusedError(
            "this idempotency key was used for a different request; use a new key"
        )
    return Replay(row.result_id, row.location)


def remember(
    session: Session,
    scope: str,
    principal: str,
    key: str,
    *,
    result_id: str,
    print_: str = "",
    location: str | None = None,
) -> Replay | None:
    """Record what ``key`` created, in the caller's transaction. Returns None, or, when a
    concurrent submission with the same key committed first, that submission's result: the
    caller's transaction is then rolled back (nothing of the second one is kept)."""
    stale = session.get(IdempotencyKey, (scope, principal, key))
    if stale is not None:  # expired (``recall`` found none): the key starts again
        session.delete(stale)
    row = IdempotencyKey(
        scope=scope,
        principal=principal,
        key=key,
        fingerprint=print_,
        result_id=result_id,
        location=location,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        session.rollback()
        first = recall(session, scope, principal, key)
        if first is None:  # pragma: no cover - the winner's row is committed
            raise
        return first
    return None


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Forget keys older than ``KEEP``."""
    cutoff = (now or utcnow()) - KEEP
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_pass(factory: SessionFactory, now: datetime | None = None) -> int:
    """One purge of the expired keys, in its own transaction; how many were forgotten."""
    with unit_of_work(factory) as session:
        purged = purge_expired(session, now)
    if purged:
        log.info("idempotency keys purged", count=purged)
    return purged
