"""Ingestion: the entities of the node's other records, read through those domains' tables.

Exchange messages and requests (their FollowTheMoney entities), published alerts (subject and
related entities), imported watchlist entries and screening hits (the traveller). Idempotent,
keyed by source record: a record already ingested with the same content is skipped, a changed
one adds statements, a withdrawn, closed, superseded or blocked one stops counting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit.models import AuditAction
from jisr.audit.service import record as audit
from jisr.exchange.models import Message
from jisr.graph.access import require_graph
from jisr.graph.linking import rebuild_entities
from jisr.graph.models import GraphSource, SourceKind
from jisr.graph.statements import SourceRecord, record_source, withdraw_source
from jisr.notices.models import CLOSED_STATUSES, Notice, NoticeStatus
from jisr.watchlists.models import ScreeningHit, WatchlistEntry

_BATCH = 200


@dataclass
class SyncReport:
    sources: int = 0
    withdrawn: int = 0
    entities: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "sources": self.sources,
            "withdrawn": self.withdrawn,
            "entities": self.entities,
            "by_kind": dict(sorted(self.by_kind.items())),
        }


def _dotted(record_id: str) -> str:
    return record_id.replace(":", ".")


def message_records(session: Session) -> Iterator[SourceRecord | str]:
    """Messages with entities; a withdrawn message yields its source key (to withdraw)."""
    # JSON columns cannot be compared portably (PostgreSQL's json has no equality): messages
    # without entities are skipped here.
    rows = session.execute(select(Message).order_by(Message.created_at, Message.id)).scalars()
    for message in rows:
        if not message.entities:
            continue
        if message.withdrawn_at is not None:
            yield f"{SourceKind.MESSAGE.value}:{message.id}"
            continue
        yield SourceRecord(
            kind=SourceKind.MESSAGE,
            record_id=message.id,
            owner_agency=message.owner_agency,
            handling_code=message.handling_code,
            entities=list(message.entities),
            agreement_id=message.agreement_id,
            crime_area=message.crime_area,
            data_category=message.data_category,
        )


def notice_records(session: Session) -> Iterator[SourceRecord | str]:
    rows = session.execute(select(Notice).order_by(Notice.created_at, Notice.id)).scalars()
    for notice in rows:
        status = NoticeStatus(notice.status)
        if status in CLOSED_STATUSES:
            yield f"{SourceKind.NOTICE.value}:{notice.id}"
            continue
        if status is not NoticeStatus.PUBLISHED:
            continue
        yield SourceRecord(
            kind=SourceKind.NOTICE,
            record_id=notice.id,
            owner_agency=notice.owner_agency,
            handling_code=notice.handling_code,
            entities=[notice.subject, *notice.related],
            agreement_id=notice.agreement_id,
            crime_area=notice.crime_area,
            data_category=notice.data_category,
        )


def entry_records(session: Session) -> Iterator[SourceRecord | str]:
    """Imported watchlist entries (entries made from alerts come in with their alert)."""
    rows = session.execute(
        select(WatchlistEntry)
        .where(WatchlistEntry.notice_id.is_(None))
        .order_by(WatchlistEntry.updated_at, WatchlistEntry.id)
    ).scalars()
    for entry in rows:
        if not entry.active or entry.blocked:
            yield f"{SourceKind.WATCHLIST_ENTRY.value}:{entry.id}"
            continue
        schema = "Person" if entry.kind == "Person" else "LegalEntity"
        properties: dict[str, list[str]] = {"name": list(entry.names)}
        if schema == "Person":
            properties |= {
                "birthDate": list(entry.birth_dates),
                "nationality": list(entry.nationalities),
                "idNumber": list(entry.documents),
            }
            if entry.gender in ("male", "female"):
                properties["gender"] = [entry.gender]
        yield SourceRecord(
            kind=SourceKind.WATCHLIST_ENTRY,
            record_id=entry.id,
            owner_agency=entry.owner_agency,
            handling_code="H0",
            entities=[{"id": _dotted(entry.id), "schema": schema, "properties": properties}],
            crime_area=entry.crime_area,
            data_category="personal",
        )


def hit_records(session: Session, agency_code: str) -> Iterator[SourceRecord | str]:
    """The traveller of each screening hit (a record of this node's border unit)."""
    rows = session.execute(select(ScreeningHit).order_by(ScreeningHit.screened_at)).scalars()
    for hit in rows:
        query = hit.query or {}
        properties = {
            "name": [query.get("name")],
            "birthDate": [query.get("birth_date")],
            "nationality": [query.get("nationality")],
            "passportNumber": [query.get("document_number")],
        }
        cleaned = {k: [str(v) for v in vs if v] for k, vs in properties.items()}
        yield SourceRecord(
            kind=SourceKind.HIT,
            record_id=hit.id,
            owner_agency=agency_code,
            handling_code="H0",
            entities=[
                {
                    "id": f"{agency_code}.traveller-{_dotted(hit.id).rsplit('.', 1)[-1]}",
                    "schema": "Person",
                    "properties": {k: v for k, v in cleaned.items() if v},
                }
            ],
            crime_area="border_security",
            data_category="personal",
        )


def sync(session: Session, actor: Actor, agency_code: str) -> SyncReport:
    """Ingest what is new or changed since the last sync and link it at once."""
    require_graph(session, actor, write=True)
    report = SyncReport()
    known = dict(session.execute(select(GraphSource.id, GraphSource.withdrawn_at)).all())
    feeds = (
        message_records(session),
        notice_records(session),
        entry_records(session),
        hit_records(session, agency_code),
    )
    touched: set[str] = set()
    for feed in feeds:
        for item in feed:
            if isinstance(item, str):
                if item in known and known[item] is None:
                    touched |= withdraw_source(session, item)
                    report.withdrawn += 1
                continue
            new = record_source(session, item)
            if new:
                report.sources += 1
                report.by_kind[item.kind.value] = report.by_kind.get(item.kind.value, 0) + 1
                touched |= new
            if len(touched) >= _BATCH:
                report.entities += len(rebuild_entities(session, touched, agency_code))
                touched = set()
    report.entities += len(rebuild_entities(session, touched, agency_code))
    if report.sources or report.withdrawn:
        audit(
            session,
            actor,
            AuditAction.COMBINATION,
            "graph",
            None,
            justification="graph ingestion of the node's records",
            details=report.to_json(),
        )
    return report
