"""TAXII 2.1 reads over stored objects: filters, stable paging, manifests, versions.

Paging orders by (``added``, ``seq``) and the ``next`` token is that pair, so a page boundary
falling among thousands of objects stored in the same instant neither repeats nor skips one
(clients that page by ``added_after`` alone loop or skip there). Access is filtered in SQL: the
owners policy lets the actor read, and for partners' copies only the TLP levels this node may
serve on.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from jisr.actors import Actor
from jisr.cyber.access import ReadGate
from jisr.cyber.models import CyberObject
from jisr.cyber.stix import parse_timestamp
from jisr.cyber.tlp import SERVED_ON
from jisr.errors import ValidationError

MAX_PAGE = 1000
STIX_MEDIA = "application/stix+json;version=2.1"


@dataclass(frozen=True, slots=True)
class Filters:
    added_after: datetime | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()


@dataclass
class Page:
    rows: list[CyberObject]
    more: bool
    next: str | None

    @property
    def first_added(self) -> datetime | None:
        return self.rows[0].added if self.rows else None

    @property
    def last_added(self) -> datetime | None:
        return self.rows[-1].added if self.rows else None


def timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_filters(
    added_after: str | None,
    ids: str | None,
    types: str | None,
    versions: str | None,
    spec_versions: str | None,
) -> Filters:
    def split(value: str | None) -> tuple[str, ...]:
        return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()

    try:
        after = parse_timestamp(added_after) if added_after else None
        wanted = split(versions) or ("last",)
        for version in wanted:
            if version not in {"last", "first", "all"}:
                parse_timestamp(version)
    except ValueError:
        raise ValidationError("bad timestamp in a filter", code="filter_invalid") from None
    return Filters(after, split(ids), split(types), wanted, split(spec_versions))


def encode_cursor(row: CyberObject) -> str:
    raw = f"{row.added.isoformat()}|{row.seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        added, seq = raw.split("|")
        return datetime.fromisoformat(added), int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(
            "the next token is not one this server gave", code="next_invalid"
        ) from None


def _version_clause(versions: Sequence[str], collection_id: str) -> ColumnElement[bool] | None:
    if "all" in versions:
        return None
    clauses: list[ColumnElement[bool]] = []
    if "last" in versions:
        clauses.append(CyberObject.current.is_(True))
    if "first" in versions:
        older = aliased(CyberObject)
        earliest = (
            select(func.min(older.modified))
            .where(older.collection_id == collection_id, older.stix_id == CyberObject.stix_id)
            .scalar_subquery()
        )
        clauses.append(CyberObject.modified == earliest)
    stamps = [parse_timestamp(v) for v in versions if v not in {"last", "first"}]
    if stamps:
        clauses.append(CyberObject.modified.in_(stamps))
    return or_(*clauses)


def visible(session: Session, actor: Actor, collection_id: str) -> ColumnElement[bool]:
    """Rows of ``collection_id`` this actor may see through TAXII and exports."""
    owners = session.execute(
        select(CyberObject.owner_agency)
        .where(CyberObject.collection_id == collection_id)
        .distinct()
    ).scalars()
    readable = sorted(ReadGate(session, actor).readable(owners))
    own = CyberObject.owner_agency == actor.agency_code
    served = and_(
        CyberObject.owner_agency.in_(readable), CyberObject.tlp.in_([t.value for t in SERVED_ON])
    )
    return and_(CyberObject.collection_id == collection_id, or_(own, served) if readable else own)


def _query(
    session: Session, actor: Actor, collection_id: str, filters: Filters
) -> Select[CyberObject]:
    stmt = select(CyberObject).where(visible(session, actor, collection_id))
    if filters.added_after is not None:
        stmt = stmt.where(CyberObject.added > filters.added_after)
    if filters.ids:
        stmt = stmt.where(CyberObject.stix_id.in_(filters.ids))
    if filters.types:
        stmt = stmt.where(CyberObject.stix_type.in_(filters.types))
    if filters.spec_versions:
        stmt = stmt.where(CyberObject.spec_version.in_(filters.spec_versions))
    version = _version_clause(filters.versions, collection_id)
    if version is not None:
        stmt = stmt.where(version)
    return stmt


def page(
    session: Session,
    actor: Actor,
    collection_id: str,
    filters: Filters,
    *,
    limit: int | None,
    cursor: str | None,
) -> Page:
    size = max(1, min(limit or MAX_PAGE, MAX_PAGE))
    stmt = _query(session, actor, collection_id, filters)
    if cursor:
        added, seq = decode_cursor(cursor)
        # A row-value comparison: both databases seek the (collection, added, seq) index to
        # the cursor, so every page costs the same however deep it is.
        stmt = stmt.where(tuple_(CyberObject.added, CyberObject.seq) > tuple_(added, seq))
    stmt = stmt.order_by(CyberObject.added, CyberObject.seq).limit(size + 1)
    rows = list(session.execute(stmt).scalars())
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, more, encode_cursor(rows[-1]) if more and rows else None)


def versions_of(
    session: Session, actor: Actor, collection_id: str, stix_id: str, filters: Filters
) -> list[CyberObject]:
    stmt = _query(
        session,
        actor,
        collection_id,
        Filters(filters.added_after, (stix_id,), filters.types, ("all",), filters.spec_versions),
    )
    return list(session.execute(stmt.order_by(CyberObject.modified)).scalars())


def envelope(result: Page) -> dict[str, Any]:
    body: dict[str, Any] = {"more": result.more, "objects": [row.body for row in result.rows]}
    if result.next:
        body["next"] = result.next
    return body


def manifest(result: Page) -> dict[str, Any]:
    body: dict[str, Any] = {
        "more": result.more,
        "objects": [
            {
                "id": row.stix_id,
                "date_added": timestamp(row.added),
                "version": row.modified_text,
                "media_type": STIX_MEDIA,
            }
            for row in result.rows
        ],
    }
    if result.next:
        body["next"] = result.next
    return body
