"""Statutory clocks for data-subject requests (prefix ``JISR_RIGHTS_``), per request kind."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jisr.rights.models import RequestKind


class RightsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JISR_RIGHTS_", extra="ignore", frozen=True)

    # Days the law gives to answer each kind of request, counted from the day it was received.
    access_days: int = Field(default=30, ge=1, le=365)
    correction_days: int = Field(default=30, ge=1, le=365)
    deletion_days: int = Field(default=30, ge=1, le=365)

    def days_for(self, kind: RequestKind) -> int:
        return {
            RequestKind.ACCESS: self.access_days,
            RequestKind.CORRECTION: self.correction_days,
            RequestKind.DELETION: self.deletion_days,
        }[kind]
