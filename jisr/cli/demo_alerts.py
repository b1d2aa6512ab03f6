"""The demo's alert and border story: Paris publishes a wanted alert, Rabat screens a flight.

Paris's liaison officer drafts a fictional ``wanted`` alert (the name only in Latin script), a
second liaison officer reviews it, and it is published to Rabat. Once Rabat's watchlist holds
it, Rabat's border officer screens a fictional flight manifest in which the same man is written
in Arabic script; the hit is opened, confirmed with a reason, and the follow-up request goes to
Paris with Paris's deadline. Every person, flight and document here is invented.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.cli.common import open_node
from jisr.db import SessionFactory, unit_of_work
from jisr.exchange.storage import BlobStore
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.notices.drafting import create_notice, submit_notice
from jisr.notices.models import Notice
from jisr.notices.publication import publish_notice
from jisr.notices.review import review_notice
from jisr.notices.schemas import NoticeCreate, ReviewCreate
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.checks import open_hit
from jisr.watchlists.decisions import decide
from jisr.watchlists.manifests import create_job, hits_of, run_job
from jisr.watchlists.models import ManifestJob, Verdict, WatchlistEntry
from jisr.watchlists.schemas import DecisionCreate

ALERT_TITLE = "Organiser of a Channel-crossing smuggling route (demo)"
MANIFEST_NAME = "AT0771-CDG-CMN.csv"
ARRIVAL_WAIT_S = 30.0
# A fictional flight Paris-Charles de Gaulle -> Casablanca. Row P05 is the wanted man,
# written in Arabic script as a Moroccan booking system would; the others are innocent.
MANIFEST = """id,name,birth_date,nationality,gender,document_number
P01,Camille Durand-Exemple,1991-04-02,fr,female,FX0000101
P02,Mehdi Ouazzani-Exemple,1987-09-15,ma,male,MX0000102
P03,سناء بنعلي,1995-01-30,ma,female,MX0000103
P04,Thomas Lefebvre-Exemple,1979-06-21,fr,male,FX0000104
P05,رشيد الفاسي,1983-11-07,ma,male,
P06,Leila Haddou-Exemple,2001-12-12,dz,female,DX0000106
P07,王小明,1990-05-05,cn,male,CX0000107
P08,Youssef Amrani-Exemple,1969-02-28,ma,male,MX0000108
"""


def _officer(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return actor_for(user)


def publish_wanted_in_paris(data_dir: Path) -> None:
    """Draft, review and publish the demo alert in Paris, once (delivery follows when served)."""
    with open_node(data_dir / "paris") as node, node.session() as session:
        if session.execute(select(Notice.id).where(Notice.title == ALERT_TITLE)).first():
            return
        author = _officer(session, "claire.martin")
        reviewer = _officer(session, "sophie.laurent")
        draft = create_notice(
            session,
            author,
            NoticeCreate.model_validate(
                {
                    "alert_type": "wanted",
                    "title": ALERT_TITLE,
                    "subject": {
                        "id": "demo-p9",
                        "schema": "Person",
                        "properties": {
                            "name": ["Rachid El Fassi"],
                            "birthDate": ["1983-11-07"],
                            "nationality": ["ma"],
                            "gender": ["male"],
                            "passportNumber": ["ZQ0000909"],
                        },
                    },
                    "offence": "Organised migrant smuggling endangering life at sea",
                    "crime_area": "migrant_smuggling",
                    "max_penalty_years": 10,
                    "warrant_reference": "Fictional arrest warrant 2026/0909, Lille court",
                    "legal_basis": "Fictional: penal code art. L823-3; extradition convention",
                }
            ),
        )
        submit_notice(session, author, draft.id)
        review_notice(
            session,
            reviewer,
            draft.id,
            ReviewCreate.model_validate(
                {"decision": "approve", "comment": "Complete, serious, no neutrality concern"}
            ),
        )
        publish_notice(session, author, draft.id)


def screen_flight_in_rabat(data_dir: Path) -> bool:
    """Screen the demo flight in Rabat and confirm the hit, once the alert has arrived.

    Returns False when the alert did not reach Rabat in time (the demo says so and goes on).
    """
    node_dir = data_dir / "rabat"
    with open_node(node_dir) as node:
        with node.session() as session:
            if session.execute(
                select(ManifestJob.id).where(ManifestJob.filename == MANIFEST_NAME)
            ).first():
                return True
        if not _wait_for_alert(node.factory):
            return False
        with node.session() as session:
            officer = _officer(session, "youssef.benali")
            job = create_job(
                session, officer, node.settings.data_dir, MANIFEST_NAME, MANIFEST.encode("utf-8")
            )
            job_id = job.id
        run_job(node.factory, officer, ScreenerCache(), job_id)
        with node.session() as session:
            for hit in hits_of(session, job_id):
                open_hit(session, officer, hit.id, "Passenger of flight AT0771 (demo)")
                decide(
                    session,
                    officer,
                    hit.id,
                    DecisionCreate(
                        verdict=Verdict.CONFIRMED,
                        reason="Same birth date and nationality; name is the Arabic spelling",
                    ),
                    store=BlobStore.for_data_dir(node.settings.data_dir),
                )
    return True


def _wait_for_alert(factory: SessionFactory) -> bool:
    deadline = time.monotonic() + ARRIVAL_WAIT_S
    while time.monotonic() < deadline:
        with unit_of_work(factory) as session:
            stmt = select(WatchlistEntry.id).where(
                WatchlistEntry.owner_agency == "FR-DGSI", WatchlistEntry.active.is_(True)
            )
            if session.execute(stmt).first():
                return True
        time.sleep(0.5)
    return False
