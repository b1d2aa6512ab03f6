"""Search settings (prefix ``JISR_SEARCH_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SearchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JISR_SEARCH_", extra="ignore", frozen=True)

    # Seconds between passes of the indexer over the backlog in ``jisr serve`` (0: off; then run
    # ``jisr search index`` from cron).
    index_interval_seconds: float = Field(default=30.0, ge=0)
    # Backlog entries worked off per pass.
    index_batch: int = Field(default=500, ge=1, le=100_000)
