"""Fixtures for notices tests: a local agency, a pinned partner, an agreement, officers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement, CrimeArea, DataCategory
from jisr.federation.models import OutboxMessage
from jisr.notices.drafting import create_notice
from jisr.notices.models import Notice
from jisr.notices.schemas import NoticeCreate
from tests.exchange.conftest import (
    LOCAL,
    PARTNER,
    add_agreement,
    add_local_agency,
    officer,
    pin_partner,
)

OTHER = "ES-CGI"


@dataclass
class World:
    session: Session
    agreement: Agreement
    author: Actor
    reviewer: Actor
    analyst: Actor

    def outbox(self, envelope_type: str) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).where(OutboxMessage.envelope_type == envelope_type)
        return list(self.session.execute(stmt.order_by(OutboxMessage.created_at)).scalars())

    def draft(self, **overrides: Any) -> Notice:
        return create_notice(self.session, self.author, NoticeCreate(**wanted(**overrides)))


def wanted(**overrides: Any) -> dict[str, Any]:
    """A fictional wanted person."""
    fields: dict[str, Any] = {
        "alert_type": "wanted",
        "title": "Organiser of a migrant-smuggling route",
        "subject": {
            "id": "p1",
            "schema": "Person",
            "properties": {
                "name": ["Youssef Benkirane-Test", "يوسف بنكيران"],
                "birthDate": ["1984-03-12"],
                "nationality": ["ma"],
                "gender": ["male"],
                "passportNumber": ["ZZ0000001"],
            },
        },
        "offence": "Organised migrant smuggling endangering life",
        "crime_area": "migrant_smuggling",
        "max_penalty_years": 10,
        "warrant_reference": "Arrest warrant 2026/117, investigating judge, Tangier",
        "legal_basis": "Penal code art. 52-1; bilateral extradition convention",
    }
    fields.update(overrides)
    return fields


@pytest.fixture()
def world(session: Session) -> World:
    add_local_agency(session)
    pin_partner(session, LOCAL, PARTNER)
    pin_partner(session, LOCAL, OTHER)
    agreement = add_agreement(
        session,
        LOCAL,
        PARTNER,
        crime_areas=[CrimeArea.MIGRANT_SMUGGLING, CrimeArea.TERRORISM],
        categories=[DataCategory.PERSONAL, DataCategory.OPERATIONAL],
    )
    add_agreement(
        session,
        LOCAL,
        OTHER,
        reference="MA-ES/CYBER/01",
        crime_areas=[CrimeArea.CYBERCRIME],
        categories=[DataCategory.CYBER_INDICATOR],
    )
    author = officer("liaison")
    reviewer = Actor(author.kind, f"{LOCAL}:user:reviewer", LOCAL, author.roles, label="reviewer")
    return World(session, agreement, author, reviewer, officer("analyst"))
