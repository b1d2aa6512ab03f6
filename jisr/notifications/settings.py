"""How often notifications are derived and pushed (prefix ``JISR_NOTIFICATIONS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotificationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JISR_NOTIFICATIONS_", extra="ignore", frozen=True)

    # Seconds between passes over the audit trail for acts committed by other processes (a CLI
    # command, `jisr worker`); acts of this process wake the pass at once. 0 turns it off.
    poll_seconds: float = Field(default=2.0, ge=0, le=3600)
    # Seconds between scans of request deadlines and partner reachability.
    scan_seconds: float = Field(default=60.0, ge=0, le=86400)
    # A request is "due" this many hours before its deadline.
    due_within_hours: int = Field(default=24, ge=1, le=24 * 14)
    # An event stream ends after this many seconds (clients reconnect with Last-Event-ID).
    stream_max_seconds: float = Field(default=300.0, ge=1, le=3600)
    # Seconds between heartbeats (comment lines) on an idle stream.
    stream_heartbeat_seconds: float = Field(default=15.0, ge=0.1, le=300)
    # Seconds between re-reads of the database by a stream when nothing woke it (notifications
    # written by another process), and between re-checks that its session or token still holds.
    stream_poll_seconds: float = Field(default=5.0, ge=0.1, le=300)
