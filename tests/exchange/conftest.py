"""Fixtures for exchange tests: a local agency, a pinned partner and an agreement, in a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, system_actor
from jisr.agreements.models import Agreement, AgreementStatus, CrimeArea, DataCategory
from jisr.agreements.schemas import AgreementCreate
from jisr.agreements.service import create_agreement
from jisr.clock import utcnow
from jisr.db import DATA_DIR_KEY
from jisr.exchange.storage import BlobStore
from jisr.federation.keys import public_b64
from jisr.federation.models import OutboxMessage
from jisr.federation.partners import PartnerInfo, add_partner
from jisr.identity.models import Agency

LOCAL = "MA-DGST"
PARTNER = "FR-DGSI"
REFERENCE = "MA-FR/EXCHANGE/01"


def pin_partner(session: Session, local: str, code: str, url: str = "http://127.0.0.1:9") -> None:
    info = PartnerInfo(
        code,
        f"Partner {code}",
        "Partenaire",
        "شريك",
        code[:2],
        url,
        "http",
        public_b64(Ed25519PrivateKey.generate().public_key()),
        public_b64(X25519PrivateKey.generate().public_key()),
    )
    add_partner(session, system_actor(local), info, now=utcnow())


def add_agreement(
    session: Session,
    local: str,
    partner: str,
    *,
    reference: str = REFERENCE,
    crime_areas: list[CrimeArea] | None = None,
    categories: list[DataCategory] | None = None,
    handling: str = "H0",
) -> Agreement:
    return create_agreement(
        session,
        system_actor(local),
        AgreementCreate(
            reference=reference,
            title="Exchange test agreement",
            parties=[local, partner],
            crime_areas=crime_areas or [CrimeArea.MIGRANT_SMUGGLING, CrimeArea.TERRORISM],
            data_categories=categories or [DataCategory.OPERATIONAL, DataCategory.PERSONAL],
            valid_from=utcnow() - timedelta(hours=1),
            default_handling=handling,  # type: ignore[arg-type]
            legal_basis="Bilateral memorandum on police cooperation, art. 4",
            status=AgreementStatus.ACTIVE,
        ),
    )


@dataclass
class World:
    session: Session
    agreement: Agreement
    store: BlobStore
    liaison: Actor
    analyst: Actor
    auditor: Actor

    def outbox(self, envelope_type: str) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).where(OutboxMessage.envelope_type == envelope_type)
        return list(self.session.execute(stmt.order_by(OutboxMessage.created_at)).scalars())


def add_local_agency(session: Session) -> None:
    """This node's own agency row, as ``jisr init`` would have created it."""
    session.add(
        Agency(
            code=LOCAL,
            name_en="DGST",
            name_fr="DGST",
            name_ar="المديرية العامة",
            country="MA",
            is_local=True,
        )
    )
    session.flush()


def officer(role: str, agency: str = LOCAL) -> Actor:
    return Actor(ActorKind.USER, f"{agency}:user:{role}", agency, frozenset({role}), label=role)


@pytest.fixture()
def world(session: Session, tmp_path: Path) -> World:
    # Federation handlers find the node's files through the session, as on a served node.
    session.info[DATA_DIR_KEY] = tmp_path
    add_local_agency(session)
    pin_partner(session, LOCAL, PARTNER)
    agreement = add_agreement(session, LOCAL, PARTNER)
    return World(
        session,
        agreement,
        BlobStore.for_data_dir(tmp_path),
        officer("liaison"),
        officer("analyst"),
        officer("auditor"),
    )


def message_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "to": PARTNER,
        "agreement": REFERENCE,
        "subject": "Smuggling network, Tangier route",
        "body": "We have a lead; can you check these two phone numbers and this passport?",
        "crime_area": "migrant_smuggling",
        "purpose": "Identify the organisers of the Tangier-Algeciras route",
    }
    fields.update(overrides)
    return fields
