"""The demo's fictional case: a migrant-smuggling network seen from Rabat, Paris and Madrid.

Rabat's liaison officer asks Paris to check two phone numbers and a passport (an urgent request,
with its deadline) and informs Madrid; once the nodes are running, Paris's liaison officer reads
the request and answers it. Every person, number and document here is invented.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import CrimeArea, DataCategory, HandlingCode
from jisr.cli.common import open_node
from jisr.cli.demo_graph import send_ring_pieces
from jisr.cyber.demo import share_phishing_campaign
from jisr.exchange.messages import MessageFilter, list_messages, read_message, reply, send_message
from jisr.exchange.models import Direction, GradingScheme, MessageKind, Priority
from jisr.exchange.schemas import Grading, MessageCreate, ReplyCreate
from jisr.exchange.storage import BlobStore
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.operations.demo import run_major_event_story

ANSWER_WAIT_S = 30.0

_NETWORK = [
    {
        "id": "MA-DGST.demo-p1",
        "schema": "Person",
        "properties": {
            "name": ["Hamid Ait Lahcen", "حميد آيت لحسن"],
            "birthDate": ["1984-03-12"],
            "nationality": ["ma"],
            "phone": ["+33600000417", "+212600000418"],
        },
    },
    {
        "id": "MA-DGST.demo-pp1",
        "schema": "Passport",
        "properties": {
            "holder": ["MA-DGST.demo-p1"],
            "number": ["ZX0000417"],
            "country": ["ma"],
        },
    },
]


def _officer(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return actor_for(user)


def send_opening_messages(data_dir: Path) -> None:
    """Rabat's request to Paris and information to Madrid, once."""
    node_dir = data_dir / "rabat"
    with open_node(node_dir) as node, node.session() as session:
        officer = _officer(session, "amal.idrissi")
        sent = list_messages(session, officer, MessageFilter(direction=Direction.OUTBOUND))
        if sent:
            return
        store = BlobStore.for_data_dir(node_dir)
        request = send_message(
            session,
            officer,
            MessageCreate(
                to="FR-DGSI",
                agreement="MA-FR/2026/01",
                kind=MessageKind.REQUEST,
                priority=Priority.URGENT,
                subject="Smuggling network Tangier–Marseille: two phones and a passport",
                body=(
                    "Our border unit at Tanger Med stopped a van carrying 14 migrants on "
                    "2026-11-18. The driver's phone was in contact with +33 6 00 00 04 17 "
                    "(French number) and +212 6 00 00 04 18. The organiser is believed to be "
                    "Hamid Ait Lahcen (passport ZX0000417). Can you tell us who uses the "
                    "French number and whether this person is known to you?"
                ),
                crime_area=CrimeArea.MIGRANT_SMUGGLING,
                data_category=DataCategory.PERSONAL,
                handling_code=HandlingCode.H2,
                grading=Grading(
                    scheme=GradingScheme.ADMIRALTY,
                    source_reliability="B",
                    information_credibility="2",
                ),
                purpose="Identify and dismantle a migrant-smuggling network",
                entities=_NETWORK,
            ),
            store=store,
        )
        send_message(
            session,
            officer,
            MessageCreate(
                to="ES-CGI",
                agreement="MA-ES/2026/01",
                subject="For information: smuggling network using the Strait crossing",
                body=(
                    "We have opened a case on a network moving migrants through Tanger Med; "
                    "the same van was seen at Algeciras in October. We will share what "
                    "Paris tells us."
                ),
                crime_area=CrimeArea.MIGRANT_SMUGGLING,
                data_category=DataCategory.OPERATIONAL,
                purpose="Information on a shared migrant-smuggling case",
                case_ref=request.case_ref,
            ),
            store=store,
        )


def answer_in_paris(data_dir: Path) -> bool:
    """Once Rabat's request has reached Paris, Paris reads and answers it (once)."""
    run_major_event_story(data_dir)
    share_phishing_campaign(data_dir)
    node_dir = data_dir / "paris"
    send_ring_pieces(data_dir)
    deadline = time.monotonic() + ANSWER_WAIT_S
    while time.monotonic() < deadline:
        with open_node(node_dir) as node, node.session() as session:
            officer = _officer(session, "claire.martin")
            inbound = list_messages(
                session,
                officer,
                MessageFilter(direction=Direction.INBOUND, kind=MessageKind.REQUEST),
            )
            if inbound:
                request = inbound[-1]
                if request.answered_at is None:
                    read_message(session, officer, request.id)
                    reply(
                        session,
                        officer,
                        request.id,
                        ReplyCreate(
                            body=(
                                "The French number is registered to a prepaid card bought in "
                                "Marseille; it was used near the port on 2026-11-17. The "
                                "person is not known to our services. We are opening a case "
                                "on our side."
                            ),
                            grading=Grading(
                                scheme=GradingScheme.ADMIRALTY,
                                source_reliability="A",
                                information_credibility="2",
                            ),
                        ),
                        store=BlobStore.for_data_dir(node_dir),
                    )
                return True
        time.sleep(1.0)
    return False
