"""Storing STIX objects: every version its own row, the newest current, nothing half-written.

Objects are checked one by one (``jisr.cyber.stix``) before anything is written; the valid
ones are written in chunks, each chunk inside a savepoint with set-wise statements (one select
of the versions already held, one update demoting superseded versions, one insert of rows and
one of observables). Should a chunk fail (a concurrent writer stored the same version), it is
rolled back and written again one object per savepoint, so each object is stored whole or not
at all and the rest of the bundle still goes in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jisr.clock import utcnow
from jisr.cyber import stix
from jisr.cyber.models import CyberObject, CyberObservable
from jisr.cyber.tlp import Tlp, level_of

CHUNK = 500
RETENTION_DAYS = 1825


@dataclass(frozen=True, slots=True)
class Labels:
    """What every stored version carries besides its STIX body."""

    owner_agency: str
    origin: str
    default_tlp: Tlp = Tlp.AMBER
    recipients: tuple[str, ...] = ()
    agreement_id: str | None = None
    handling_code: str = "H0"
    legal_basis: str = ""
    retention_until: datetime | None = None


@dataclass
class IngestResult:
    total: int = 0
    stored: int = 0
    unchanged: int = 0
    errors: list[stix.ObjectError] = field(default_factory=list)
    by_type: Counter[str] = field(default_factory=Counter)
    # (stix id, modified text) of every version stored by this call, in input order.
    stored_versions: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "rejected": len(self.errors),
            "by_type": dict(sorted(self.by_type.items())),
            "errors": [
                {"index": e.index, "id": e.stix_id, "code": e.code, "message": e.message}
                for e in self.errors
            ],
        }


def check_all(
    objects: Sequence[Any], result: IngestResult, refused: Mapping[str, str] | None = None
) -> list[stix.CheckedObject]:
    """Check every object; those whose id is in ``refused`` fail with that code."""
    valid: list[stix.CheckedObject] = []
    result.total += len(objects)
    for index, obj in enumerate(objects):
        checked = stix.check_object(index, obj)
        if refused and isinstance(checked, stix.CheckedObject) and checked.stix_id in refused:
            code = refused[checked.stix_id]
            checked = stix.ObjectError(index, code, "a partner owns this object", checked.stix_id)
        if isinstance(checked, stix.ObjectError):
            result.errors.append(checked)
        else:
            valid.append(checked)
    return valid


def ingest(
    session: Session,
    collection_id: str,
    objects: Sequence[Any],
    labels: Labels,
    result: IngestResult | None = None,
    refused: Mapping[str, str] | None = None,
) -> IngestResult:
    """Check and store ``objects`` in ``collection_id``; the caller audits and shares."""
    result = result or IngestResult()
    checked = check_all(objects, result, refused)
    for start in range(0, len(checked), CHUNK):
        chunk = checked[start : start + CHUNK]
        try:
            with session.begin_nested():
                _store(session, collection_id, chunk, labels, result)
        except IntegrityError:
            for one in chunk:
                try:
                    with session.begin_nested():
                        _store(session, collection_id, [one], labels, result)
                except IntegrityError:
                    result.unchanged += 1
    return result


def _held(session: Session, collection_id: str, ids: Iterable[str]) -> dict[str, list[Any]]:
    stmt = select(CyberObject.stix_id, CyberObject.modified, CyberObject.seq).where(
        CyberObject.collection_id == collection_id, CyberObject.stix_id.in_(set(ids))
    )
    held: dict[str, list[Any]] = {}
    for row in session.execute(stmt):
        held.setdefault(row.stix_id, []).append(row)
    return held


def _store(
    session: Session,
    collection_id: str,
    chunk: Sequence[stix.CheckedObject],
    labels: Labels,
    result: IngestResult,
) -> None:
    held = _held(session, collection_id, (c.stix_id for c in chunk))
    newest: dict[str, datetime] = {sid: max(r.modified for r in rows) for sid, rows in held.items()}
    known = {(sid, r.modified) for sid, rows in held.items() for r in rows}
    now = utcnow()
    retention = labels.retention_until or now + timedelta(days=RETENTION_DAYS)
    rows: list[dict[str, Any]] = []
    current_row: dict[str, dict[str, Any]] = {}
    demoted: set[str] = set()
    stored: list[tuple[str, str]] = []
    types: Counter[str] = Counter()
    unchanged = 0
    for obj in chunk:
        if (obj.stix_id, obj.modified) in known:
            unchanged += 1
            continue
        known.add((obj.stix_id, obj.modified))
        is_current = obj.stix_id not in newest or obj.modified > newest[obj.stix_id]
        if is_current:
            newest[obj.stix_id] = obj.modified
            if obj.stix_id in held:
                demoted.add(obj.stix_id)
            if obj.stix_id in current_row:
                current_row[obj.stix_id]["current"] = False
        body = obj.body
        row = {
            "collection_id": collection_id,
            "stix_id": obj.stix_id,
            "stix_type": obj.stix_type,
            "spec_version": "2.1",
            "modified": obj.modified,
            "modified_text": obj.modified_text,
            "current": is_current,
            "revoked": bool(body.get("revoked", False)),
            "expired": False,
            "origin": labels.origin,
            "owner_agency": labels.owner_agency,
            "tlp": level_of(body, labels.default_tlp).value,
            "recipients": list(labels.recipients),
            "agreement_id": labels.agreement_id,
            "handling_code": labels.handling_code,
            "legal_basis": labels.legal_basis,
            "retention_until": retention,
            "valid_until": _valid_until(body),
            "added": now,
            "body": body,
        }
        rows.append(row)
        if is_current:
            current_row[obj.stix_id] = row
        stored.append((obj.stix_id, obj.modified_text))
        types[obj.stix_type] += 1
    if not rows:
        result.unchanged += unchanged
        return
    if demoted:
        session.execute(
            update(CyberObject)
            .where(CyberObject.collection_id == collection_id, CyberObject.stix_id.in_(demoted))
            .values(current=False)
        )
    refreshed = set(current_row)
    if refreshed & set(held):
        session.execute(
            delete(CyberObservable).where(
                CyberObservable.collection_id == collection_id,
                CyberObservable.stix_id.in_(refreshed & set(held)),
            )
        )
    session.execute(insert(CyberObject), rows)
    observed = [
        {
            "kind": kind,
            "value": value,
            "stix_id": row["stix_id"],
            "owner_agency": labels.owner_agency,
            "collection_id": collection_id,
            "tlp": row["tlp"],
            "seen_at": now,
        }
        for row in current_row.values()
        if row["current"] and not row["revoked"]
        for kind, value in dict.fromkeys(stix.observables(row["body"]))
    ]
    if observed:
        session.execute(insert(CyberObservable), observed)
    # Counted only once the chunk's statements went through.
    result.stored += len(rows)
    result.unchanged += unchanged
    result.by_type.update(types)
    result.stored_versions.extend(stored)


def _valid_until(body: dict[str, Any]) -> datetime | None:
    text = body.get("valid_until")
    return stix.parse_timestamp(text) if isinstance(text, str) else None
