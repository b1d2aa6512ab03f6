"""Collections: the node's local one and one per agreement covering cybercrime indicators.

A collection is what TAXII serves; the one of an agreement holds what its parties share under
it (our objects written to it travel to its community, subject to TLP; partners' copies arrive
in it). Ids are stable UUIDs derived from the agency and the alias, the alias is the
agreement's reference (or ``local``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.agreements.models import Agreement, AgreementParty, CrimeArea, DataCategory
from jisr.cyber.errors import CollectionNotFoundError
from jisr.cyber.models import CyberCollection
from jisr.cyber.stix import AGENCY_NAMESPACE

LOCAL_ALIAS = "local"


def collection_id(agency_code: str, alias: str) -> str:
    return str(uuid.uuid5(AGENCY_NAMESPACE, f"{agency_code}/collection/{alias}"))


def _covers_cyber(agreement: Agreement) -> bool:
    return (
        CrimeArea.CYBERCRIME.value in agreement.crime_areas
        and DataCategory.CYBER_INDICATOR.value in agreement.data_categories
    )


def sync_collections(session: Session, agency_code: str) -> list[CyberCollection]:
    """The local collection and one per cyber agreement of ours, created when missing."""
    wanted: dict[str, tuple[str, str | None]] = {
        LOCAL_ALIAS: (f"{agency_code}: local indicators", None)
    }
    stmt = select(Agreement).where(
        Agreement.id.in_(
            select(AgreementParty.agreement_id).where(AgreementParty.agency_code == agency_code)
        )
    )
    for agreement in session.execute(stmt).scalars():
        if _covers_cyber(agreement):
            wanted[agreement.reference] = (agreement.title, agreement.id)
    existing = {c.alias: c for c in session.execute(select(CyberCollection)).scalars()}
    for alias, (title, agreement_id) in wanted.items():
        if alias not in existing:
            row = CyberCollection(
                id=collection_id(agency_code, alias),
                alias=alias,
                title=title,
                agreement_id=agreement_id,
                description="Shared under the agreement" if agreement_id else "This node only",
            )
            session.add(row)
            existing[alias] = row
    session.flush()
    return sorted(existing.values(), key=lambda c: (c.agreement_id is not None, c.alias))


def get_collection(session: Session, agency_code: str, key: str | None) -> CyberCollection:
    """By id or alias (agreement reference); ``None`` means the local collection."""
    key = key or LOCAL_ALIAS
    row = session.get(CyberCollection, key)
    if row is None:
        row = session.execute(
            select(CyberCollection).where(CyberCollection.alias == key)
        ).scalar_one_or_none()
    if row is None:
        sync_collections(session, agency_code)
        row = (
            session.get(CyberCollection, key)
            or session.execute(
                select(CyberCollection).where(CyberCollection.alias == key)
            ).scalar_one_or_none()
        )
    if row is None:
        raise CollectionNotFoundError(f"no collection {key!r}")
    return row


def collection_for_agreement(session: Session, agency_code: str, agreement_id: str) -> str:
    for row in sync_collections(session, agency_code):
        if row.agreement_id == agreement_id:
            return row.id
    raise CollectionNotFoundError(f"agreement {agreement_id} does not cover cyber indicators")


def list_collections(session: Session, agency_code: str) -> Sequence[CyberCollection]:
    return sync_collections(session, agency_code)
