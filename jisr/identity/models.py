"""Agencies, users, API tokens and console sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from jisr.actors import Role
from jisr.agreements.parties import Agency, Transport
from jisr.clock import utcnow
from jisr.db.base import Base

# Agencies are the parties to agreements (``jisr.agreements.parties``) and roles are the
# kernel's (``jisr.actors``, policy decides by them); both are named here too because every
# domain has always found them beside the users.
__all__ = ["Agency", "ApiToken", "LoginSession", "Role", "Transport", "User"]


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    agency_code: Mapped[str] = mapped_column(ForeignKey("agencies.code"))
    roles: Mapped[list[str]]
    password_hash: Mapped[str] = mapped_column(String(200))
    # TOTP seed encrypted with a key derived from JISR_SECRET_KEY; None until enrolled.
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    mfa_enabled: Mapped[bool] = mapped_column(default=False)
    # Last TOTP time-step accepted, so a code is never accepted twice (replay protection).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApiToken(Base):
    """A scoped, expiring token for partner systems; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    # The token that minted this one (None: minted from a console session or the CLI);
    # revoking a token revokes everything it minted.
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("api_tokens.id"), index=True)


class LoginSession(Base):
    """A console session; the cookie holds a random token whose SHA-256 is the key here."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Password-only session of a user who must enrol TOTP first: good for nothing else.
    enrolment_only: Mapped[bool] = mapped_column(default=False, server_default=false())
