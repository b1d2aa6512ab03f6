"""A Rabat node holding its own records and copies of Paris's and Madrid's, for graph tests.

Partners' messages arrive through the exchange's federation handler (``receive_message``), as
on a served node; Rabat's own go out through ``send_message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement, CrimeArea, DataCategory
from jisr.clock import utcnow
from jisr.db import DATA_DIR_KEY
from jisr.exchange.entities import normalise_entities
from jisr.exchange.federation import receive_message
from jisr.exchange.messages import send_message
from jisr.exchange.models import Message
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.exchange.wire import MESSAGE_ENVELOPE
from jisr.federation.envelope import EnvelopeHeader
from jisr.federation.handlers import InboundEnvelope
from jisr.ids import new_id
from tests.exchange.conftest import add_agreement, add_local_agency, officer, pin_partner
from tests.web.conftest import console  # noqa: F401 - the console fixture, for page tests

LOCAL = "MA-DGST"
PARIS = "FR-DGSI"
MADRID = "ES-CGI"


@dataclass
class GraphWorld:
    session: Session
    store: BlobStore
    agreements: dict[str, Agreement]
    analyst: Actor

    def receive(
        self,
        sender: str,
        entities: list[dict[str, Any]],
        *,
        handling_code: str = "H0",
        crime_area: str = "migrant_smuggling",
        case_ref: str | None = None,
    ) -> Message:
        """A partner's message with these entities, through the exchange's handler."""
        agreement = self.agreements[sender]
        now = utcnow()
        payload: dict[str, Any] = {
            "id": new_id(sender, "msg"),
            "kind": "message",
            "case_ref": case_ref or new_id(sender, "case"),
            "case_title": "Smuggling network",
            "in_reply_to": None,
            "recipient": LOCAL,
            "subject": "Information on a smuggling network",
            "body": "See the entities.",
            "crime_area": crime_area,
            "data_category": "personal",
            "priority": "routine",
            "deadline_at": None,
            "handling_code": handling_code,
            "handling_text": None,
            "grading": None,
            "legal_basis": "Bilateral memorandum, art. 4",
            "purpose": "Dismantle a smuggling network",
            "retention_until": (now + timedelta(days=365)).isoformat(),
            "entities": normalise_entities(entities, sender),
            "attachments": [],
            "created_by": "officer",
            "created_at": now.isoformat(),
        }
        header = EnvelopeHeader(
            id=new_id(sender, "envelope"),
            sender=sender,
            recipient=LOCAL,
            agreement=agreement.reference,
            type=MESSAGE_ENVELOPE,
            created=now.isoformat(),
            expires=(now + timedelta(days=1)).isoformat(),
            sender_key="0" * 16,
            recipient_key="0" * 16,
            digest="0" * 64,
            case=payload["case_ref"],
            data_category="personal",
            crime_area=crime_area,
            handling_code=handling_code,
        )
        receive_message(self.session, InboundEnvelope(header, payload, agreement.id))
        message = self.session.get(Message, payload["id"])
        assert message is not None
        return message

    def send(self, to: str, entities: list[dict[str, Any]], **fields: Any) -> Message:
        """One of Rabat's own messages (with entities) to a partner."""
        agreement = self.agreements[to]
        data = MessageCreate(
            to=to,
            agreement=agreement.reference,
            subject="Smuggling network: our findings",
            body="See the entities.",
            crime_area=CrimeArea(fields.pop("crime_area", "migrant_smuggling")),
            data_category=DataCategory.PERSONAL,
            purpose="Dismantle a smuggling network",
            entities=entities,
            **fields,
        )
        return send_message(self.session, self.analyst, data, store=self.store)


@pytest.fixture()
def graph_world(session: Session, tmp_path: Path) -> GraphWorld:
    session.info[DATA_DIR_KEY] = tmp_path
    add_local_agency(session)
    agreements = {}
    for partner, reference in ((PARIS, "MA-FR/GRAPH/01"), (MADRID, "MA-ES/GRAPH/01")):
        pin_partner(session, LOCAL, partner)
        agreements[partner] = add_agreement(
            session,
            LOCAL,
            partner,
            reference=reference,
            crime_areas=[CrimeArea.MIGRANT_SMUGGLING, CrimeArea.FINANCIAL_CRIME],
        )
    return GraphWorld(session, BlobStore.for_data_dir(tmp_path), agreements, officer("analyst"))


def person(entity_id: str, *names: str, **props: list[str]) -> dict[str, Any]:
    return {"id": entity_id, "schema": "Person", "properties": {"name": list(names), **props}}
