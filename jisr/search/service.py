"""Search: one query over every indexed record, filtered by policy in the query, audited.

``search`` reads the typed text (``engine.parse``), asks the engine for the newest ``WINDOW``
matching documents the searcher may read (``access.readable`` is part of that query), counts
them per kind, ranks them, pages by an opaque cursor and highlights the page. Entities held by
several documents the searcher may read show once per document. The search is audited as a
consultation: the kinds asked, the counts, and the SHA-256 of the query's folded words (never
the words: a query is often a person's name; an auditor who wants to know whether a name was
searched hashes its words the same way, ``jisr.search.service.query_digest``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import ResourceKind
from jisr.audit import AuditAction, record
from jisr.errors import ValidationError
from jisr.search.access import readable
from jisr.search.documents import Kind, Source
from jisr.search.engine import Parsed, matches, parse
from jisr.search.indexer import backlog_size
from jisr.search.models import SearchDocument as D
from jisr.search.schemas import SearchPage, SearchResult
from jisr.search.snippets import SNIPPET_WORDS, highlight
from jisr.search.text import words

MAX_QUERY = 200
MAX_LIMIT = 100
# Matches counted and ranked per query: the newest this many the searcher may read.
WINDOW = 1000
_RESOURCES: dict[Kind, ResourceKind] = {
    Kind.MESSAGE: ResourceKind.MESSAGE,
    Kind.REQUEST: ResourceKind.MESSAGE,
    Kind.CASE: ResourceKind.CASE,
    Kind.ALERT: ResourceKind.NOTICE,
    Kind.HIT: ResourceKind.SCREENING,
    Kind.CYBER: ResourceKind.INDICATOR,
    Kind.OPERATION: ResourceKind.OPERATION,
    Kind.LOG_ENTRY: ResourceKind.OPERATION,
    Kind.COURSE: ResourceKind.TRAINING,
    Kind.WATCHLIST_ENTRY: ResourceKind.WATCHLIST,
}


def parse_types(values: Sequence[str]) -> list[Kind]:
    """``types=message,alert`` (repeated or comma-separated) as kinds; empty means all."""
    kinds: list[Kind] = []
    for value in (v.strip() for raw in values for v in raw.split(",")):
        if not value:
            continue
        try:
            kind = Kind(value)
        except ValueError:
            allowed = ", ".join(k.value for k in Kind)
            raise ValidationError(
                f"unknown type {value!r} (one of {allowed})",
                code="search_type_unknown",
                field="types",
            ) from None
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        offset = int(raw[1:]) if raw.startswith("o") else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
    if not 0 <= offset < WINDOW:
        raise ValidationError(
            "this cursor is not one a search returned", code="search_cursor_invalid", field="cursor"
        )
    return offset


def query_digest(query: str) -> str:
    """What the audit trail keeps of a query: SHA-256 of its folded words, space-separated."""
    return hashlib.sha256(" ".join(words(query)).encode()).hexdigest()


def _resources(kinds: Sequence[Kind]) -> set[ResourceKind] | None:
    if not kinds:
        return None
    entity_kinds = {Kind.PERSON, Kind.ORGANIZATION, Kind.DOCUMENT, Kind.ACCOUNT, Kind.VEHICLE}
    return {ResourceKind.ENTITY if k in entity_kinds else _RESOURCES[k] for k in kinds}


def search(
    session: Session,
    actor: Actor,
    query: str,
    *,
    types: Sequence[Kind] = (),
    cursor: str | None = None,
    limit: int = 20,
) -> SearchPage:
    text = query.strip()
    if not text or len(text) > MAX_QUERY:
        raise ValidationError(
            f"type between 1 and {MAX_QUERY} characters", code="search_query_invalid", field="q"
        )
    offset = decode_cursor(cursor)
    limit = max(1, min(limit, MAX_LIMIT))
    parsed = parse(text, actor.agency_code[:2])
    counts: dict[str, int] = {}
    results: list[SearchResult] = []
    more = False
    if parsed:
        where = readable(session, actor, _resources(types))
        if types:
            where = where & D.kind.in_([k.value for k in types])
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            # A search is many short queries: compiling one (JIT, for its estimated cost) takes
            # longer than running it. For this transaction only.
            session.execute(sql_text("SET LOCAL jit = off"))
        # One query: the window's ids, kinds and scores; counted and ranked here, then the
        # page's rows read by id (joining the window back to the index made PostgreSQL scan it).
        found = session.execute(matches(dialect, parsed, where, WINDOW)).all()
        counts = dict(Counter(kind for _id, kind, _score in found))
        ranked = sorted(found, key=lambda r: (-float(r[2] or 0.0), -r[0]))
        page = ranked[offset : offset + limit + 1]
        more = len(page) > limit
        wanted = {row[0]: float(row[2] or 0.0) for row in page[:limit]}
        docs = session.execute(select(D).where(D.id.in_(list(wanted)))).scalars()
        by_id = {doc.id: doc for doc in docs} if wanted else {}
        results = [_result(by_id[i], score, parsed) for i, score in wanted.items() if i in by_id]
    total = sum(counts.values())
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "search",
        None,
        details={
            "query_sha256": query_digest(text),
            "types": [k.value for k in types],
            "offset": offset,
            "returned": len(results),
            "counts": counts,
        },
    )
    return SearchPage(
        query=text,
        types=[k.value for k in types],
        results=results,
        counts=counts,
        total=total,
        counts_capped=total >= WINDOW,
        next_cursor=encode_cursor(offset + limit) if more and offset + limit < WINDOW else None,
        backlog=backlog_size(session),
    )


def _result(doc: D, score: float, parsed: Parsed) -> SearchResult:
    snippet = highlight(doc.text, parsed.highlight, parsed.name_keys, words=SNIPPET_WORDS)
    record_id = doc.link.rsplit("/", 1)[-1] if doc.source == Source.CYBER.value else doc.record_id
    return SearchResult(
        kind=doc.kind,
        record_id=record_id,
        entity_id=doc.part or None,
        title=doc.title,
        title_html=str(highlight(doc.title, parsed.highlight, parsed.name_keys)),
        snippet=snippet.striptags(),
        snippet_html=str(snippet),
        link=doc.link,
        owner_agency=doc.owner_agency,
        handling_code=doc.handling_code,
        record_at=doc.record_at,
        score=round(score, 6),
    )
