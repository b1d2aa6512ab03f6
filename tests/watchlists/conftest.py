"""Fixtures for watchlist tests: a local agency, a pinned partner, an agreement, officers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement, CrimeArea
from jisr.exchange.storage import BlobStore
from jisr.screening.model import Subject
from tests.exchange.conftest import (
    LOCAL,
    PARTNER,
    add_agreement,
    add_local_agency,
    officer,
    pin_partner,
)

REFERENCE = "MA-FR/BORDER/01"


@dataclass
class World:
    session: Session
    agreement: Agreement
    store: BlobStore
    border: Actor
    liaison: Actor
    auditor: Actor
    analyst: Actor


@pytest.fixture()
def world(session: Session, tmp_path: Path) -> World:
    add_local_agency(session)
    pin_partner(session, LOCAL, PARTNER)
    agreement = add_agreement(
        session,
        LOCAL,
        PARTNER,
        reference=REFERENCE,
        crime_areas=[CrimeArea.BORDER_SECURITY, CrimeArea.MIGRANT_SMUGGLING],
    )
    return World(
        session,
        agreement,
        BlobStore(tmp_path / "attachments"),
        officer("border_officer"),
        officer("liaison"),
        officer("auditor"),
        officer("analyst"),
    )


# Fictional people only.
AMRANI = Subject(
    "x",
    ("Youssef El Amrani", "يوسف العمراني"),
    birth_dates=("1984-03-12",),
    nationalities=("ma",),
    gender="male",
    documents=("XK4471029",),
)
LEFEBVRE = Subject("y", ("Claire Lefebvre",), birth_dates=("1979-11-02",), nationalities=("fr",))
