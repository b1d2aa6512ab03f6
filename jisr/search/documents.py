"""What each indexed record contributes to the index: one document, and one per entity it holds.

A builder reads one row of another domain (search may read their tables; none imports search)
and returns the documents to store for it, or none when the record is not to be found (a
withdrawn message, a superseded or revoked STIX version). Each document carries the record's
policy terms, so results are filtered in the query (``jisr.search.access``).

A hit's document holds the traveller as screened, never the listed person or the explanation:
those are revealed only by opening the hit with a justification. An operation's log entry is
found by who may read both the entry and its operation; an imported watchlist entry by who
works with watchlists, while it is not blocked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from followthemoney import model
from sqlalchemy import ColumnElement, String, and_, cast
from sqlalchemy.orm import QueryableAttribute, object_session

from jisr.agreements.policy import ResourceKind
from jisr.cyber.models import CyberObject
from jisr.exchange.models import Case, Message, MessageKind
from jisr.notices.models import Notice
from jisr.operations.models import LogEntry, Operation
from jisr.search.text import (
    MAX_TERMS_CHARS,
    document_number,
    iban,
    identifiers_in,
    names_terms,
    phone,
    terms,
)
from jisr.training.models import Course
from jisr.training.service import AREA as TRAINING_AREA
from jisr.training.service import CATEGORY as TRAINING_CATEGORY
from jisr.training.service import HANDLING as TRAINING_HANDLING
from jisr.watchlists.models import ScreeningHit, WatchlistEntry


class Kind(StrEnum):
    """What a result is, as users filter by it (``types=``)."""

    MESSAGE = "message"
    REQUEST = "request"
    CASE = "case"
    ALERT = "alert"
    HIT = "hit"
    PERSON = "person"
    ORGANIZATION = "organization"
    DOCUMENT = "document"
    ACCOUNT = "account"
    VEHICLE = "vehicle"
    CYBER = "cyber"
    OPERATION = "operation"
    LOG_ENTRY = "log_entry"
    COURSE = "course"
    WATCHLIST_ENTRY = "watchlist_entry"


class Source(StrEnum):
    """The table a record lives in."""

    MESSAGE = "message"
    CASE = "case"
    NOTICE = "notice"
    HIT = "hit"
    CYBER = "cyber"
    OPERATION = "operation"
    LOG_ENTRY = "log_entry"
    COURSE = "course"
    WATCHLIST_ENTRY = "watchlist_entry"


_SCHEMA_KINDS: tuple[tuple[str, Kind], ...] = (
    ("Person", Kind.PERSON),
    ("Identification", Kind.DOCUMENT),
    ("BankAccount", Kind.ACCOUNT),
    ("CryptoWallet", Kind.ACCOUNT),
    ("Vehicle", Kind.VEHICLE),
    ("LegalEntity", Kind.ORGANIZATION),
)
_TEXT_CHARS = 4000
_LABELS = ("owner_agency", "crime_area", "data_category", "handling_code")


@dataclass
class Document:
    source: Source
    record_id: str
    kind: Kind
    resource: ResourceKind
    owner_agency: str
    title: str
    link: str
    record_at: datetime
    part: str = ""
    crime_area: str | None = None
    data_category: str | None = None
    handling_code: str | None = None
    case_ref: str | None = None
    block_key: str | None = None
    text: str = ""
    words: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    # Whether phones and IBANs written in the title and text are identifiers too (a record
    # whose identifiers are all given as fields says no: scanning is most of its cost).
    scan: bool = True

    def row(self) -> dict[str, Any]:
        """The ``search_documents`` row (terms folded, identifiers normalised)."""
        region = self.owner_agency[:2]
        idents = dict.fromkeys(self.identifiers)
        written = f"{self.title}\n{self.text[:MAX_TERMS_CHARS]}"
        if self.scan:
            idents.update(dict.fromkeys(identifiers_in(written, region)))
        return {
            "source": self.source.value,
            "record_id": self.record_id,
            "part": self.part,
            "kind": self.kind.value,
            "resource": self.resource.value,
            "owner_agency": self.owner_agency,
            "crime_area": self.crime_area,
            "data_category": self.data_category,
            "handling_code": self.handling_code,
            "case_ref": self.case_ref,
            "block_key": self.block_key,
            "title": self.title[:300],
            "text": self.text[:_TEXT_CHARS],
            "link": self.link[:300],
            "record_at": self.record_at,
            "title_terms": terms([self.title]),
            "body_terms": terms([self.text, *self.words, *self.names]),
            "name_keys": names_terms(self.names),
            "identifiers": " ".join(i for i in idents if i),
        }


@dataclass(frozen=True, slots=True)
class EntityFacts:
    kind: Kind | None
    caption: str
    names: list[str]
    identifiers: list[str]
    summary: str


def entity_facts(entity: dict[str, Any], region: str | None) -> EntityFacts:
    """Names, identifiers and a one-line summary of a FollowTheMoney entity."""
    schema = model.get(str(entity.get("schema", "")))
    props: dict[str, list[Any]] = entity.get("properties") or {}
    names: list[str] = []
    identifiers: list[str] = []
    summary: list[str] = []
    for prop_name, values in props.items():
        prop = schema.get(prop_name) if schema else None
        texts = [str(v) for v in values if isinstance(v, str | int | float)]
        if prop is None or not texts or prop.type.name == "entity":
            continue
        kind = prop.type.name
        if kind == "name":
            names.extend(texts)
        elif kind == "phone":
            identifiers.extend(n for n in (phone(t, region) for t in texts) if n)
        elif kind == "iban":
            identifiers.extend(n for n in (iban(t) for t in texts) if n)
        elif kind == "identifier":
            identifiers.extend(n for n in (document_number(t) for t in texts) if n)
        if kind != "name":
            summary.append(f"{prop.label}: {', '.join(texts)}")
    if schema is not None and {"firstName", "lastName"} <= props.keys():
        first, last = props["firstName"], props["lastName"]
        if first and last:
            names.append(f"{first[0]} {last[0]}")
    kind_ = next((k for s, k in _SCHEMA_KINDS if schema is not None and schema.is_a(s)), None)
    caption = names[0] if names else (summary[0] if summary else str(entity.get("id", "")))
    label = schema.label if schema is not None else "?"
    text = f"{label} · " + "; ".join(summary) if summary else label
    return EntityFacts(kind_, caption, names, identifiers, text)


def _entities(parent: Document, entities: Iterable[dict[str, Any]]) -> list[Document]:
    found: list[Document] = []
    seen: set[str] = set()
    for entity in entities:
        entity_id = str(entity.get("id", ""))
        facts = entity_facts(entity, parent.owner_agency[:2])
        if facts.kind is None or not entity_id or entity_id in seen:
            continue
        seen.add(entity_id)
        parent.names.extend(facts.names)
        parent.identifiers.extend(facts.identifiers)
        found.append(
            Document(
                source=parent.source,
                record_id=parent.record_id,
                part=entity_id,
                kind=facts.kind,
                resource=ResourceKind.ENTITY,
                owner_agency=parent.owner_agency,
                crime_area=parent.crime_area,
                data_category=parent.data_category,
                handling_code=parent.handling_code,
                case_ref=parent.case_ref,
                block_key=parent.block_key,
                title=facts.caption,
                text=facts.summary,
                link=parent.link,
                record_at=parent.record_at,
                names=facts.names,
                identifiers=facts.identifiers,
            )
        )
    return found


def _labels(record: Any, **override: Any) -> dict[str, Any]:
    """A record's policy terms, read from the columns most domains name alike."""
    found = {name: getattr(record, name, None) for name in _LABELS}
    return {**found, **override}


def message_documents(message: Message) -> list[Document]:
    if message.withdrawn_at is not None:
        return []
    kind = Kind.REQUEST if message.kind == MessageKind.REQUEST.value else Kind.MESSAGE
    document = Document(
        Source.MESSAGE,
        message.id,
        kind,
        ResourceKind.MESSAGE,
        title=message.subject,
        text=message.body,
        link=f"/exchange/messages/{message.id}",
        record_at=message.created_at,
        **_labels(message, case_ref=message.case_ref),
    )
    return [document, *_entities(document, message.entities or [])]


def case_documents(case: Case) -> list[Document]:
    return [
        Document(
            Source.CASE,
            case.ref,
            Kind.CASE,
            ResourceKind.CASE,
            title=case.title,
            link=f"/exchange/cases/{case.ref}",
            record_at=case.created_at,
            words=[case.ref],
            **_labels(case, case_ref=case.ref),
        )
    ]


def notice_documents(notice: Notice) -> list[Document]:
    document = Document(
        Source.NOTICE,
        notice.id,
        Kind.ALERT,
        ResourceKind.NOTICE,
        title=f"{notice.reference} · {notice.title}",
        text="\n".join(t for t in (notice.summary, notice.offence or "") if t),
        link=f"/alerts/{notice.id}",
        record_at=notice.created_at,
        **_labels(notice, block_key=notice.id),
    )
    related = [notice.subject, *(notice.related or [])]
    return [document, *_entities(document, related)]


def hit_documents(hit: ScreeningHit) -> list[Document]:
    query = hit.query or {}
    name = str(query.get("name") or "")
    number = document_number(str(query.get("document_number") or ""))
    return [
        Document(
            Source.HIT,
            hit.id,
            Kind.HIT,
            ResourceKind.SCREENING,
            owner_agency=hit.id.split(":", 1)[0],
            block_key=hit.entry_id,
            title=name or hit.check_id,
            text=" · ".join(str(query[k]) for k in ("birth_date", "nationality") if query.get(k)),
            link=f"/screening/hits/{hit.id}",
            record_at=hit.screened_at,
            names=[name] if name else [],
            identifiers=[number] if number else [],
        )
    ]


def cyber_documents(obj: CyberObject) -> list[Document]:
    if not obj.current or obj.revoked or obj.expired:
        return []
    body = obj.body or {}
    name = str(body.get("name") or body.get("value") or obj.stix_id)
    text = "\n".join(
        str(body[k]) for k in ("description", "pattern", "value", "x_misp_comment") if body.get(k)
    )
    return [
        Document(
            Source.CYBER,
            str(obj.seq),
            Kind.CYBER,
            ResourceKind.INDICATOR,
            title=f"{obj.stix_type} · {name}",
            text=text,
            link=f"/cyber/objects/{obj.stix_id}",
            record_at=obj.added,
            words=[str(v) for v in body.get("labels", []) if isinstance(v, str)],
            **_labels(obj, crime_area="cybercrime", data_category="cyber_indicator"),
        )
    ]


def operation_documents(operation: Operation) -> list[Document]:
    venues = [f"{v.get('name', '')} {v.get('city', '')}" for v in operation.venues or []]
    return [
        Document(
            Source.OPERATION,
            operation.id,
            Kind.OPERATION,
            ResourceKind.OPERATION,
            title=operation.title,
            text=operation.description,
            link=f"/operations/{operation.id}",
            record_at=operation.created_at,
            words=[*(operation.objectives or []), *venues],
            **_labels(operation),
        )
    ]


def log_entry_documents(entry: LogEntry) -> list[Document]:
    """An entry of an operation's shared log: its own owner and handling code, its operation's
    crime area and data category (as ``operations.sharing.entry_resource``), and its operation
    as ``block_key`` (reading an entry needs reading the operation too)."""
    session = object_session(entry)
    operation = session.get(Operation, entry.operation_id) if session is not None else None
    if operation is None:
        raise LookupError(f"operation {entry.operation_id} of log entry {entry.id} not found")
    return [
        Document(
            Source.LOG_ENTRY,
            entry.id,
            Kind.LOG_ENTRY,
            ResourceKind.OPERATION,
            title=entry.title,
            text=entry.body,
            link=f"/operations/{operation.id}",
            record_at=entry.occurred_at,
            words=[w for w in (entry.venue, operation.title) if w],
            **_labels(
                operation,
                owner_agency=entry.owner_agency,
                handling_code=entry.handling_code,
                block_key=operation.id,
            ),
        )
    ]


def course_documents(course: Course) -> list[Document]:
    return [
        Document(
            Source.COURSE,
            course.id,
            Kind.COURSE,
            ResourceKind.TRAINING,
            owner_agency=course.provider_agency,
            crime_area=TRAINING_AREA,
            data_category=TRAINING_CATEGORY,
            handling_code=TRAINING_HANDLING,
            title=course.title,
            text="\n".join(t for t in (course.subject, course.description) if t),
            link="/operations/training",
            record_at=course.starts_at,
            words=[course.location, *(str(s.get("title", "")) for s in course.sessions or [])],
        )
    ]


def watchlist_entry_documents(entry: WatchlistEntry) -> list[Document]:
    """An entry of an imported list (UN, OFAC, files): entries built from alerts are found as
    the alerts. Its id is its ``block_key``, so a blocked entry is not found (``access``)."""
    if not entry.active or entry.notice_id is not None:
        return []
    facts = [*entry.birth_dates, *entry.nationalities]
    numbers = [n for n in (document_number(d) for d in entry.documents or []) if n]
    return [
        Document(
            Source.WATCHLIST_ENTRY,
            entry.id,
            Kind.WATCHLIST_ENTRY,
            ResourceKind.WATCHLIST,
            title=(entry.names or [entry.reference])[0],
            text=" · ".join([entry.reference, *facts]),
            link="/screening",
            record_at=entry.updated_at,
            names=list(entry.names or []),
            identifiers=numbers,
            scan=False,
            **_labels(entry, block_key=entry.id),
        )
    ]


@dataclass(frozen=True, slots=True)
class Indexed:
    """One indexed table: its model, how a row is keyed, which rows are found, their documents."""

    source: Source
    model: type[Any]
    build: Callable[[Any], list[Document]]
    # The rows that have documents (None: all); a builder returns none for the others.
    live: Callable[[], ColumnElement[bool]] | None = None
    # The key's attribute, and the column a bulk INSERT's rows name it by.
    key_attribute: str = "id"
    insert_column: str = "id"

    def key(self, row: Any) -> str:
        return str(getattr(row, self.key_attribute))

    def key_column(self) -> ColumnElement[str] | QueryableAttribute[str]:
        column: QueryableAttribute[Any] = getattr(self.model, self.key_attribute)
        return cast(column, String) if self.source is Source.CYBER else column

    def with_keys(self, keys: Sequence[str]) -> ColumnElement[bool]:
        """The rows of ``keys`` (an integer key is compared as one, so its index is used)."""
        column: QueryableAttribute[Any] = getattr(self.model, self.key_attribute)
        if self.source is Source.CYBER:
            return column.in_([int(k) for k in keys])
        return column.in_(list(keys))


INDEXED: tuple[Indexed, ...] = (
    Indexed(Source.MESSAGE, Message, message_documents, lambda: Message.withdrawn_at.is_(None)),
    Indexed(Source.CASE, Case, case_documents, key_attribute="ref", insert_column="ref"),
    Indexed(Source.NOTICE, Notice, notice_documents),
    Indexed(Source.HIT, ScreeningHit, hit_documents),
    Indexed(
        Source.CYBER,
        CyberObject,
        cyber_documents,
        lambda: and_(
            CyberObject.current.is_(True),
            CyberObject.revoked.is_(False),
            CyberObject.expired.is_(False),
        ),
        key_attribute="seq",
        insert_column="stix_id",
    ),
    Indexed(Source.OPERATION, Operation, operation_documents),
    Indexed(Source.LOG_ENTRY, LogEntry, log_entry_documents),
    Indexed(Source.COURSE, Course, course_documents),
    Indexed(
        Source.WATCHLIST_ENTRY,
        WatchlistEntry,
        watchlist_entry_documents,
        lambda: and_(WatchlistEntry.active.is_(True), WatchlistEntry.notice_id.is_(None)),
    ),
)
BY_MODEL: dict[type[Any], Indexed] = {i.model: i for i in INDEXED}
BY_SOURCE: dict[Source, Indexed] = {i.source: i for i in INDEXED}
ALL_SOURCES: tuple[Source, ...] = tuple(i.source for i in INDEXED)
