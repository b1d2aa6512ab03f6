"""The demo's smuggling ring, split across the three nodes' records (all fictional).

Rabat holds the organiser (``MA-DGST.demo-p1``, written in Latin and Arabic script, with a
French phone). Paris tells Rabat who uses that phone: "Hamid Aït Lahcen", holder of a French
account. Madrid tells Rabat about the boat "Nour El Bahr", owned by "Hamed Ait-Lahsen", whose
account has the same IBAN. Madrid also tells Paris (not Rabat), under H2, about the boat's
skipper: Rabat never holds that record, so its analyst never sees it. Once the messages have
been delivered and ingested, the ring is one connected component in Rabat's graph: a phone, a
boat, an IBAN and two spellings of a name, one in Arabic script.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.cli.common import open_node
from jisr.exchange.messages import send_message
from jisr.exchange.models import Message
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.graph import queries
from jisr.graph.ingest import sync
from jisr.identity.auth import actor_for
from jisr.identity.models import User

RING_WAIT_S = 60.0
SUBJECT = "Smuggling network: the phone and the account"
IBAN = "FR7630006000011234567890189"
ORGANISER = "MA-DGST.demo-p1"

_PARIS = [
    {
        "id": "ring-s1",
        "schema": "Person",
        "properties": {"name": ["Hamid Aït Lahcen"], "phone": ["+33600000417"]},
    },
    {"id": "ring-acc", "schema": "BankAccount", "properties": {"iban": [IBAN]}},
    {
        "id": "ring-own",
        "schema": "Ownership",
        "properties": {"owner": ["ring-s1"], "asset": ["ring-acc"]},
    },
]
_MADRID = [
    {"id": "ring-b1", "schema": "Person", "properties": {"name": ["Hamed Ait-Lahsen"]}},
    {"id": "ring-acc2", "schema": "BankAccount", "properties": {"iban": [IBAN]}},
    {
        "id": "ring-own2",
        "schema": "Ownership",
        "properties": {"owner": ["ring-b1"], "asset": ["ring-acc2"]},
    },
    {
        "id": "ring-boat",
        "schema": "Vessel",
        "properties": {"name": ["Nour El Bahr"], "owner": ["ring-b1"], "flag": ["ma"]},
    },
]
_MADRID_TO_PARIS = [
    {
        "id": "ring-skipper",
        "schema": "Person",
        "properties": {"name": ["Tarik Boujida"], "phone": ["+34600000733"]},
    },
    {
        "id": "ring-crew",
        "schema": "UnknownLink",
        "properties": {"subject": ["ring-skipper"], "object": ["ring-b1"]},
    },
]


def _officer(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return actor_for(user)


def _send_once(
    node_dir: Path,
    username: str,
    to: str,
    agreement: str,
    entities: list[dict[str, Any]],
    handling: HandlingCode = HandlingCode.H0,
) -> None:
    with open_node(node_dir) as node, node.session() as session:
        exists = session.execute(
            select(Message.id).where(Message.subject == SUBJECT, Message.recipient_agency == to)
        ).first()
        if exists:
            return
        send_message(
            session,
            _officer(session, username),
            MessageCreate(
                to=to,
                agreement=agreement,
                subject=SUBJECT,
                body="Entities attached: who uses the phone, the account, the boat.",
                crime_area=CrimeArea.MIGRANT_SMUGGLING,
                data_category=DataCategory.PERSONAL,
                handling_code=handling,
                purpose="Identify and dismantle a migrant-smuggling network",
                entities=entities,
            ),
            store=BlobStore.for_data_dir(node_dir),
        )


def send_ring_pieces(data_dir: Path) -> None:
    """Paris's and Madrid's pieces, queued once at each node (delivered by their workers)."""
    _send_once(data_dir / "paris", "claire.martin", "MA-DGST", "MA-FR/2026/01", _PARIS)
    _send_once(data_dir / "madrid", "lucia.garcia", "MA-DGST", "MA-ES/2026/01", _MADRID)
    _send_once(
        data_dir / "madrid",
        "lucia.garcia",
        "FR-DGSI",
        "FR-ES/2026/01",
        _MADRID_TO_PARIS,
        HandlingCode.H2,
    )


def find_ring_in_rabat(data_dir: Path, wait_s: float = RING_WAIT_S) -> set[str]:
    """Once both pieces reached Rabat: ingest, then the component Rabat's analyst sees
    around the organiser (entity and value ids)."""
    node_dir = data_dir / "rabat"
    deadline = time.monotonic() + wait_s
    while True:
        with open_node(node_dir) as node, node.session() as session:
            arrived = session.execute(
                select(Message.owner_agency).where(Message.subject == SUBJECT)
            ).scalars()
            if {"FR-DGSI", "ES-CGI"} <= set(arrived) or time.monotonic() > deadline:
                sync(session, node.system, node.agency_code)
                analyst = _officer(session, "salma.tazi")
                found = queries.component(session, analyst, ORGANISER)
                return {n["id"] for n in found.nodes}
        time.sleep(1.0)
