"""Agencies, users, API tokens and console sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class Role(StrEnum):
    ADMIN = "admin"
    LIAISON = "liaison"
    ANALYST = "analyst"
    BORDER_OFFICER = "border_officer"
    CERT_ANALYST = "cert_analyst"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    AUDITOR = "auditor"
    DPO = "dpo"  # data-protection officer: read-only on content, data-subject requests


class Transport(StrEnum):
    HTTP = "http"
    NATS = "nats"


class Agency(Base):
    """This node's own agency (``is_local``) or a partner, with the keys pinned for it."""

    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    is_local: Mapped[bool] = mapped_column(default=False)
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    signing_key: Mapped[str | None] = mapped_column(String(64))
    encryption_key: Mapped[str | None] = mapped_column(String(64))
    transport: Mapped[str] = mapped_column(String(8), default=Transport.HTTP.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
