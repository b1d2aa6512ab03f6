"""Wire types of the search API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SearchResult(BaseModel):
    kind: str = Field(
        description="message, request, case, alert, hit, person, organization, "
        "document, account, vehicle, cyber, operation, log_entry, course or watchlist_entry"
    )
    record_id: str = Field(description="The record's id (a STIX object's id for cyber)")
    entity_id: str | None = Field(None, description="The entity, for entity results")
    title: str
    title_html: str = Field(description="The title, escaped, matched words in <mark>")
    snippet: str = Field(description="Plain text around the first match")
    snippet_html: str = Field(description="The snippet, escaped, matched words in <mark>")
    link: str = Field(description="The console page of the record")
    owner_agency: str
    handling_code: str | None
    record_at: datetime
    score: float


class SearchPage(BaseModel):
    query: str
    types: list[str]
    results: list[SearchResult]
    counts: dict[str, int] = Field(
        description="Readable matches per kind (over the newest `window` matches)"
    )
    total: int
    counts_capped: bool = Field(description="More matches exist than were counted")
    next_cursor: str | None
    backlog: int = Field(description="Records waiting to be indexed (0 when the index is current)")


class SearchStatus(BaseModel):
    documents: int
    backlog: int
    failing: int
    missing: dict[str, int]
    stale: dict[str, int]
    complete: bool
