"""Importing and exporting cyber objects: STIX 2.1 bundles and MISP events, policy-checked,
audited, shared with the collection's community when it belongs to an agreement."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement
from jisr.audit import AuditAction, record
from jisr.cyber import misp, stix, views
from jisr.cyber.access import ReadGate, require_write
from jisr.cyber.collections import get_collection
from jisr.cyber.errors import ObjectNotFoundError, UploadTooLargeError
from jisr.cyber.models import CyberCollection, CyberObject, CyberStatus, Origin
from jisr.cyber.sharing import share_versions
from jisr.cyber.store import IngestResult, Labels, ingest
from jisr.cyber.tlp import SERVED_ON, Tlp, marking_definition
from jisr.identity.models import Agency
from jisr.ids import new_ulid

MAX_UPLOAD_BYTES = 64 * 1024 * 1024


@dataclass
class ImportOutcome:
    status_id: str
    collection: str
    source_format: str  # stix | misp
    result: IngestResult
    shared: dict[str, int]

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status_id,
            "collection": self.collection,
            "format": self.source_format,
            **self.result.counts(),
            "shared": self.shared,
        }


def labels_for(
    session: Session,
    actor: Actor,
    collection: CyberCollection,
    tlp: Tlp,
    recipients: Sequence[str],
) -> Labels:
    agreement = session.get(Agreement, collection.agreement_id) if collection.agreement_id else None
    return Labels(
        owner_agency=actor.agency_code,
        origin=Origin.LOCAL.value,
        default_tlp=tlp,
        recipients=tuple(sorted(set(recipients))),
        agreement_id=agreement.id if agreement else None,
        handling_code=agreement.default_handling if agreement else "H0",
        legal_basis=agreement.legal_basis if agreement else "",
    )


def _claim_ownership(objects: list[Any], agency_code: str) -> None:
    """SDOs and SROs with no creator are ours: name our agency's identity as creator."""
    creator = stix.agency_identity_id(agency_code)
    for obj in objects:
        if (
            isinstance(obj, dict)
            and isinstance(obj.get("type"), str)
            and obj["type"] in (stix.SDO_TYPES | stix.SRO_TYPES)
            and "created_by_ref" not in obj
            and obj.get("id") != creator
        ):
            obj["created_by_ref"] = creator


def _partner_copies(session: Session, objects: list[Any]) -> dict[str, str]:
    """Ids among ``objects`` a partner owns here: never taken over (nor passed on) by us."""
    ids = sorted({o["id"] for o in objects if isinstance(o, dict) and isinstance(o.get("id"), str)})
    theirs: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        found = session.execute(
            select(CyberObject.stix_id)
            .where(
                CyberObject.stix_id.in_(ids[start : start + 500]),
                CyberObject.origin != Origin.LOCAL.value,
            )
            .distinct()
        ).scalars()
        theirs.update(dict.fromkeys(found, "object_not_owned"))
    return theirs


def import_objects(
    session: Session,
    actor: Actor,
    objects: list[Any],
    *,
    collection_key: str | None = None,
    tlp: Tlp = Tlp.AMBER,
    recipients: Sequence[str] = (),
    source_format: str = "stix",
    status_id: str | None = None,
    first_index: int = 0,
) -> ImportOutcome:
    """Store ``objects`` and record the outcome in a status; with ``status_id`` (a large
    upload imported part by part, ``jisr.cyber.jobs``) the outcome is added to that status,
    and ``first_index`` is the position of ``objects[0]`` in the whole upload."""
    require_write(session, actor)
    collection = get_collection(session, actor.agency_code, collection_key)
    labels = labels_for(session, actor, collection, tlp, recipients)
    _claim_ownership(objects, actor.agency_code)
    result = ingest(
        session, collection.id, objects, labels, refused=_partner_copies(session, objects)
    )
    shared = share_versions(session, actor, collection, result.stored_versions)
    successes = [{"id": i, "version": v} for i, v in result.stored_versions]
    failures = [
        {"id": e.stix_id, "code": e.code, "message": e.message, "index": e.index + first_index}
        for e in result.errors
    ]
    status = session.get(CyberStatus, status_id) if status_id else None
    if status is None:
        status = CyberStatus(
            id=status_id or f"{new_ulid().lower()}",
            collection_id=collection.id,
            requested_by=actor.id,
            total=result.total,
            successes=successes,
            failures=failures,
        )
        session.add(status)
    else:
        # New lists, so the JSON columns are seen as changed.
        status.total += result.total
        status.successes = [*status.successes, *successes]
        status.failures = [*status.failures, *failures]
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "cyber_bundle",
        status.id,
        details={
            "collection": collection.alias,
            "format": source_format,
            "stored": result.stored,
            "unchanged": result.unchanged,
            "rejected": len(result.errors),
            "shared": shared,
        },
    )
    return ImportOutcome(status.id, collection.alias, source_format, result, shared)


def read_document(raw: bytes) -> tuple[list[Any], str]:
    """The STIX objects of an upload and its format (``stix`` or ``misp``, detected)."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadTooLargeError(f"upload of {len(raw)} bytes is over {MAX_UPLOAD_BYTES}")
    document = stix.load_document(raw)
    if misp.is_misp_event(document):
        return misp.misp_to_stix(document), "misp"
    return stix.bundle_objects(document), "stix"


def import_document(
    session: Session,
    actor: Actor,
    raw: bytes,
    *,
    collection_key: str | None = None,
    tlp: Tlp = Tlp.AMBER,
    recipients: Sequence[str] = (),
) -> ImportOutcome:
    """A STIX 2.1 bundle or a MISP event JSON (detected), stored and counted."""
    objects, source = read_document(raw)
    return import_objects(
        session,
        actor,
        objects,
        collection_key=collection_key,
        tlp=tlp,
        recipients=recipients,
        source_format=source,
    )


def servable_objects(
    session: Session, actor: Actor, collection: CyberCollection
) -> list[dict[str, Any]]:
    """Current versions in ``collection`` this actor may read and this node may serve on."""
    gate = ReadGate(session, actor)
    stmt = (
        select(CyberObject.body, CyberObject.owner_agency, CyberObject.tlp)
        .where(CyberObject.collection_id == collection.id, CyberObject.current.is_(True))
        .order_by(CyberObject.added, CyberObject.seq)
    )
    out: list[dict[str, Any]] = []
    for body, owner, level in session.execute(stmt):
        if not gate.may_read(owner):
            continue
        if owner != actor.agency_code and Tlp(level) not in SERVED_ON:
            continue
        out.append(body)
    return out


def export_bundle(session: Session, actor: Actor, collection_key: str | None) -> dict[str, Any]:
    """A STIX 2.1 bundle of the collection: its objects, their creators' identities and the
    TLP marking definitions they use."""
    collection = get_collection(session, actor.agency_code, collection_key)
    objects = servable_objects(session, actor, collection)
    present = {o["id"] for o in objects}
    extra: list[dict[str, Any]] = []
    creators = {o.get("created_by_ref") for o in objects} - present - {None}
    agencies = {
        stix.agency_identity_id(a.code): a for a in session.execute(select(Agency)).scalars()
    }
    for ref in sorted(c for c in creators if isinstance(c, str) and c in agencies):
        extra.append(stix.agency_identity(agencies[ref].code, agencies[ref].name_en))
    used = {ref for o in objects for ref in o.get("object_marking_refs", [])} - present
    for level in Tlp:
        if marking_definition(level)["id"] in used:
            extra.append(marking_definition(level))
    record(
        session,
        actor,
        AuditAction.DISCLOSURE,
        "cyber_collection",
        collection.id,
        details={"event": "export", "format": "stix", "objects": len(objects)},
    )
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": extra + objects,
    }


def export_misp(session: Session, actor: Actor, collection_key: str | None) -> list[dict[str, Any]]:
    bundle = export_bundle(session, actor, collection_key)
    return misp.stix_to_misp(bundle["objects"])


def revoke_object(session: Session, actor: Actor, stix_id: str) -> ImportOutcome:
    """Store a revoked version of our object; every partner holding it receives it."""
    collection_id, body = views.revoked_version(session, actor, stix_id)
    collection = session.get(CyberCollection, collection_id)
    if collection is None:
        raise ObjectNotFoundError(f"no collection for {stix_id}")
    current = session.execute(
        select(CyberObject).where(
            CyberObject.collection_id == collection_id,
            CyberObject.stix_id == stix_id,
            CyberObject.current.is_(True),
        )
    ).scalar_one()
    return import_objects(
        session,
        actor,
        [body],
        collection_key=collection.id,
        tlp=Tlp(current.tlp),
        recipients=current.recipients,
        source_format="revocation",
    )
