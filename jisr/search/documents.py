"""What each indexed record contributes to the index: one document, and one per entity it holds.

A builder reads one row of another domain (search may read their tables; none imports search)
and returns the documents to store for it, or none when the record is not to be found (a
withdrawn message, a superseded or revoked STIX version). Each document carries the record's
policy terms, so results are filtered in the query (``jisr.search.access``).

A hit's document holds the traveller as screened, never the listed person or the explanation:
those are revealed only by opening the hit with a justification.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from followthemoney import model
from sqlalchemy import ColumnElement, String, cast
from sqlalchemy.orm import QueryableAttribute

from jisr.agreements.policy import ResourceKind
from jisr.cyber.models import CyberObject
from jisr.exchange.models import Case, Message, MessageKind
from jisr.notices.models import Notice
from jisr.operations.models import Operation
from jisr.search.text import (
    MAX_TERMS_CHARS,
    document_number,
    iban,
    identifiers_in,
    names_terms,
    phone,
    terms,
)
from jisr.watchlists.models import ScreeningHit


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


class Source(StrEnum):
    """The table a record lives in."""

    MESSAGE = "message"
    CASE = "case"
    NOTICE = "notice"
    HIT = "hit"
    CYBER = "cyber"
    OPERATION = "operation"


_SCHEMA_KINDS: tuple[tuple[str, Kind], ...] = (
    ("Person", Kind.PERSON),
    ("Identification", Kind.DOCUMENT),
    ("BankAccount", Kind.ACCOUNT),
    ("CryptoWallet", Kind.ACCOUNT),
    ("Vehicle", Kind.VEHICLE),
    ("LegalEntity", Kind.ORGANIZATION),
)
_TEXT_CHARS = 4000


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

    def row(self) -> dict[str, Any]:
        """The ``search_documents`` row (terms folded, identifiers normalised)."""
        region = self.owner_agency[:2]
        idents = dict.fromkeys(self.identifiers)
        written = f"{self.title}\n{self.text[:MAX_TERMS_CHARS]}"
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


def _entities(
    parent: Document, entities: Iterable[dict[str, Any]], *, resource: ResourceKind
) -> list[Document]:
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
                resource=resource,
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


def message_documents(message: Message) -> list[Document]:
    if message.withdrawn_at is not None:
        return []
    kind = Kind.REQUEST if message.kind == MessageKind.REQUEST.value else Kind.MESSAGE
    document = Document(
        source=Source.MESSAGE,
        record_id=message.id,
        kind=kind,
        resource=ResourceKind.MESSAGE,
        owner_agency=message.owner_agency,
        crime_area=message.crime_area,
        data_category=message.data_category,
        handling_code=message.handling_code,
        case_ref=message.case_ref,
        title=message.subject,
        text=message.body,
        link=f"/exchange/messages/{message.id}",
        record_at=message.created_at,
    )
    parts = _entities(document, message.entities or [], resource=ResourceKind.ENTITY)
    return [document, *parts]


def case_documents(case: Case) -> list[Document]:
    return [
        Document(
            source=Source.CASE,
            record_id=case.ref,
            kind=Kind.CASE,
            resource=ResourceKind.CASE,
            owner_agency=case.owner_agency,
            crime_area=case.crime_area,
            handling_code=case.handling_code,
            case_ref=case.ref,
            title=case.title,
            link=f"/exchange/cases/{case.ref}",
            record_at=case.created_at,
            words=[case.ref],
        )
    ]


def notice_documents(notice: Notice) -> list[Document]:
    document = Document(
        source=Source.NOTICE,
        record_id=notice.id,
        kind=Kind.ALERT,
        resource=ResourceKind.NOTICE,
        owner_agency=notice.owner_agency,
        crime_area=notice.crime_area,
        data_category=notice.data_category,
        handling_code=notice.handling_code,
        block_key=notice.id,
        title=f"{notice.reference} · {notice.title}",
        text="\n".join(t for t in (notice.summary, notice.offence or "") if t),
        link=f"/alerts/{notice.id}",
        record_at=notice.created_at,
    )
    related = [notice.subject, *(notice.related or [])]
    parts = _entities(document, related, resource=ResourceKind.ENTITY)
    return [document, *parts]


def hit_documents(hit: ScreeningHit) -> list[Document]:
    query = hit.query or {}
    name = str(query.get("name") or "")
    number = document_number(str(query.get("document_number") or ""))
    return [
        Document(
            source=Source.HIT,
            record_id=hit.id,
            kind=Kind.HIT,
            resource=ResourceKind.SCREENING,
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
            source=Source.CYBER,
            record_id=str(obj.seq),
            kind=Kind.CYBER,
            resource=ResourceKind.INDICATOR,
            owner_agency=obj.owner_agency,
            crime_area="cybercrime",
            data_category="cyber_indicator",
            handling_code=obj.handling_code,
            title=f"{obj.stix_type} · {name}",
            text=text,
            link=f"/cyber/objects/{obj.stix_id}",
            record_at=obj.added,
            words=[str(v) for v in body.get("labels", []) if isinstance(v, str)],
        )
    ]


def operation_documents(operation: Operation) -> list[Document]:
    venues = [str(v.get("name", "")) + " " + str(v.get("city", "")) for v in operation.venues or []]
    return [
        Document(
            source=Source.OPERATION,
            record_id=operation.id,
            kind=Kind.OPERATION,
            resource=ResourceKind.OPERATION,
            owner_agency=operation.owner_agency,
            crime_area=operation.crime_area,
            data_category=operation.data_category,
            handling_code=operation.handling_code,
            title=operation.title,
            text=operation.description,
            link=f"/operations/{operation.id}",
            record_at=operation.created_at,
            words=[*(operation.objectives or []), *venues],
        )
    ]


@dataclass(frozen=True, slots=True)
class Indexed:
    """One indexed table: its model, how a row is keyed, and its documents."""

    source: Source
    model: type[Any]
    key: Callable[[Any], str]
    build: Callable[[Any], list[Document]]
    # The key as a column (for bulk statements), and the column a bulk INSERT's rows name it by.
    key_column: Callable[[], ColumnElement[str] | QueryableAttribute[str]]
    insert_column: str


INDEXED: tuple[Indexed, ...] = (
    Indexed(Source.MESSAGE, Message, lambda m: m.id, message_documents, lambda: Message.id, "id"),
    Indexed(Source.CASE, Case, lambda c: c.ref, case_documents, lambda: Case.ref, "ref"),
    Indexed(Source.NOTICE, Notice, lambda n: n.id, notice_documents, lambda: Notice.id, "id"),
    Indexed(Source.HIT, ScreeningHit, lambda h: h.id, hit_documents, lambda: ScreeningHit.id, "id"),
    Indexed(
        Source.CYBER,
        CyberObject,
        lambda o: str(o.seq),
        cyber_documents,
        lambda: cast(CyberObject.seq, String),
        "stix_id",
    ),
    Indexed(
        Source.OPERATION, Operation, lambda o: o.id, operation_documents, lambda: Operation.id, "id"
    ),
)
BY_MODEL: dict[type[Any], Indexed] = {i.model: i for i in INDEXED}
BY_SOURCE: dict[Source, Indexed] = {i.source: i for i in INDEXED}
ALL_SOURCES: tuple[Source, ...] = tuple(i.source for i in INDEXED)
