"""The demo's major event and course, once the three demo nodes are running (all fictional):

Rabat opens "Africa Cup of Nations, Rabat" with Paris and Madrid contingents and their liaison
officers, screens 500 accreditation applicants against its watchlist (two planted hits wait in
the screening hits queue for review) and logs an incident that reaches Paris and Madrid; Paris
gives a course to two Rabat officers, certifies them, and Madrid's node verifies a certificate
with Paris's pinned key. Idempotent: a second run reuses what is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy import select

from jisr.agreements.models import CrimeArea
from jisr.cli.common import Node, open_node
from jisr.clock import utcnow
from jisr.operations import accreditation, log, service
from jisr.operations.accreditation import AccreditationCategory
from jisr.operations.fixtures import accreditation_csv, watchlist_csv
from jisr.operations.models import Accreditation, EntryKind, LogEntry, Operation, OperationKind
from jisr.operations.schemas import LiaisonOfficer, OperationCreate, ParticipantCreate, Venue
from jisr.operations.sharing import load_operation
from jisr.training import certificates
from jisr.training import service as training
from jisr.training.models import Certificate, Course
from jisr.training.schemas import CourseCreate, EnrolmentCreate
from jisr.training.signing import key_lookup, node_signer
from jisr.watchlists import manifests
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.imports import import_list

EVENT_TITLE = "Africa Cup of Nations, Rabat"
COURSE_TITLE = "Counter-terrorism security of major sporting events"
WAIT_S = 30.0
VENUES = (
    Venue(name="Stade Prince Moulay Abdellah", city="Rabat", lat=33.9596, lon=-6.8893),
    Venue(name="Stade Moulay Hassan", city="Rabat", lat=33.9830, lon=-6.8520),
    Venue(name="Fan zone Bouregreg", city="Rabat", lat=34.0250, lon=-6.8230),
)


def _event(node: Node, data_dir: Path) -> str:
    with node.session() as session:
        existing = session.execute(
            select(Operation.id).where(Operation.title == EVENT_TITLE)
        ).scalar()
        if existing:
            return str(existing)
        start = datetime(2026, 12, 21, 18, tzinfo=UTC)
        data = OperationCreate(
            title=EVENT_TITLE,
            kind=OperationKind.EVENT,
            crime_area=CrimeArea.TERRORISM,
            description="Security of the tournament's venues, teams and fan zones.",
            starts_at=start,
            ends_at=start + timedelta(days=28),
            objectives=["Secure the venues and fan zones", "Screen every accredited person"],
            venues=list(VENUES),
            participants=[
                ParticipantCreate(
                    agency="FR-DGSI",
                    agreement="MA-FR/2026/01",
                    role="contingent",
                    contingent_size=12,
                    liaison_officers=[LiaisonOfficer(name="Claire Martin", phone="+33100000001")],
                ),
                ParticipantCreate(
                    agency="ES-CGI",
                    agreement="MA-ES/2026/01",
                    role="contingent",
                    contingent_size=8,
                    liaison_officers=[LiaisonOfficer(name="Lucía García", phone="+34900000001")],
                ),
            ],
        )
        return service.create_operation(session, node.system, data).id


def _accredit(node: Node, event_id: str, data_dir: Path) -> tuple[int, int]:
    with node.session() as session:
        done = session.execute(
            select(Accreditation).where(Accreditation.operation_id == event_id)
        ).scalar()
        if done is None:
            wanted = data_dir / "accreditation-watchlist.csv"
            wanted.write_text(watchlist_csv(extra=200), encoding="utf-8")
            import_list(session, node.system, "AFCON wanted", wanted, alert_type="wanted")
            item = accreditation.create_accreditation(
                session,
                node.system,
                event_id,
                AccreditationCategory.STAFF,
                node.settings.data_dir,
                "afcon-staff.csv",
                accreditation_csv(500).encode(),
            )
            job_id = item.manifest_job_id
        else:
            job_id = done.manifest_job_id
    with node.session() as session:
        job = manifests.get_job(session, node.system, job_id)
        pending = job.status != "done"
    if pending:
        manifests.run_job(node.factory, node.system, ScreenerCache(), job_id)
    with node.session() as session:
        job = manifests.get_job(session, node.system, job_id)
        return job.screened, job.hits


def _incident(rabat: Node, event_id: str) -> str:
    with rabat.session() as session:
        entry, _sent, _refused = log.write_entry(
            session,
            rabat.system,
            load_operation(session, rabat.system, event_id),
            EntryKind.INCIDENT,
            "Unattended bag at the north gate",
            "Area cleared; bomb squad on site.",
            severity="high",
            venue=VENUES[0].name,
            occurred_at=utcnow() - timedelta(minutes=2),
        )
        return entry.id


def _arrived(node_dir: Path, entry_id: str) -> float | None:
    with open_node(node_dir) as node, node.session() as session:
        entry = session.get(LogEntry, entry_id)
        if entry is None or entry.received_at is None:
            return None
        return (entry.received_at - entry.recorded_at).total_seconds()


def _wait(check: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _delay_at(node_dir: Path, entry_id: str, timeout: float = WAIT_S) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delay = _arrived(node_dir, entry_id)
        if delay is not None:
            return delay
        time.sleep(0.1)
    return None


def _course(paris: Node) -> str:
    with paris.session() as session:
        existing = session.execute(select(Course.id).where(Course.title == COURSE_TITLE)).scalar()
        if existing:
            return str(existing)
        data = CourseCreate(
            title=COURSE_TITLE,
            subject="Venue security, accreditation screening, crowd incidents",
            location="Paris, DGSI training centre",
            starts_at=utcnow() - timedelta(days=5),
            ends_at=utcnow() - timedelta(days=1),
            seats={"MA-DGST": 4},
            certificate_validity_days=730,
        )
        return training.create_course(session, paris.system, data).id


def run_major_event_story(data_dir: Path) -> None:
    """Play the event and the course on the running demo nodes; print what happened."""
    with open_node(data_dir / "rabat") as rabat:
        event_id = _event(rabat, data_dir)
        screened, hits = _accredit(rabat, event_id, data_dir)
        entry_id = _incident(rabat, event_id)
    typer.echo(
        f"Demo event: {EVENT_TITLE} ({event_id}); {screened} accreditation applicants "
        f"screened, {hits} hits waiting for review at Rabat (/screening/hits)."
    )
    for city in ("paris", "madrid"):
        delay = _delay_at(data_dir / city, entry_id)
        typer.echo(
            f"  incident logged in Rabat reached {city.title()} {delay:.2f} s after it was recorded"
            if delay is not None
            else f"  incident logged in Rabat has not reached {city.title()} yet"
        )
    with open_node(data_dir / "paris") as paris:
        course_id = _course(paris)
    with open_node(data_dir / "rabat") as rabat:
        seen = _wait(lambda: _has_course(rabat, course_id))
        if seen:
            with rabat.session() as session:
                if not training.enrolled_counts(session, course_id):
                    for name in ("Youssef Benali", "Salma Tazi"):
                        training.nominate(
                            session, rabat.system, course_id, EnrolmentCreate(person_name=name)
                        )
    with open_node(data_dir / "paris") as paris:
        _wait(lambda: sum(_counts(paris, course_id).values()) >= 2)
        with paris.session() as session:
            for enrolment in training.enrolments_of(session, paris.system, course_id):
                if enrolment.status == "nominated":
                    training.record_attendance(session, paris.system, enrolment.id, True)
            signer = node_signer(paris.settings, paris.agency_code)
            certificates.issue_certificates(session, paris.system, course_id, signer)
            documents = [
                c.document
                for c in session.execute(
                    select(Certificate).where(Certificate.course_id == course_id)
                ).scalars()
            ]
    if not documents:
        typer.echo("Demo course: Rabat's nominations have not reached Paris yet.")
        return
    with open_node(data_dir / "madrid") as madrid, madrid.session() as session:
        verdict = certificates.verify(
            session,
            madrid.system,
            documents[0],
            key_lookup(session, node_signer(madrid.settings, madrid.agency_code)),
        )
    typer.echo(
        f"Demo course: Paris certified {len(documents)} Rabat officers; Madrid's node "
        + (
            "verified a certificate with Paris's pinned key."
            if verdict.valid
            else f"refused a certificate: {verdict.reason}"
        )
    )


def _has_course(node: Node, course_id: str) -> bool:
    with node.session() as session:
        return session.get(Course, course_id) is not None


def _counts(node: Node, course_id: str) -> dict[str, int]:
    with node.session() as session:
        return training.enrolled_counts(session, course_id)
