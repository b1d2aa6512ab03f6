"""The operations and training forms of the console, through its pages: each writes through the
service the API uses (audited there), is shown only to those policy lets act, and a refusal
keeps what was typed and writes nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jisr.agreements.models import CrimeArea, DataCategory
from jisr.cli.app import main
from jisr.clock import utcnow
from jisr.db import make_session_factory, unit_of_work
from jisr.federation.keys import create_node_keys, load_node_keys
from jisr.operations.models import LogEntry, Operation, OperationTask, Participant
from jisr.training.models import Certificate, Course, Enrolment
from tests.exchange.conftest import PARTNER, REFERENCE, add_agreement, pin_partner
from tests.web.conftest import AGENCY, Console, console  # noqa: F401 - the fixture

_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
LATER = (utcnow() + timedelta(days=5)).replace(second=0, microsecond=0)


def _local(value: object) -> str:
    """A time as a ``datetime-local`` input sends it."""
    return value.strftime("%Y-%m-%dT%H:%M")  # type: ignore[attr-defined]


@pytest.fixture()
def partnered(console: Console) -> Console:  # noqa: F811
    """The console's node with a partner and an agreement covering events and training."""
    with unit_of_work(make_session_factory(console.engine)) as session:
        pin_partner(session, AGENCY, PARTNER)
        add_agreement(
            session,
            AGENCY,
            PARTNER,
            crime_areas=[CrimeArea.MAJOR_EVENTS, CrimeArea.TRAINING],
            categories=[DataCategory.OPERATIONAL, DataCategory.TRAINING],
        )
    return console


def _count(web: Console, model: type) -> int:
    with unit_of_work(make_session_factory(web.engine)) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _operation(web: Console) -> Operation:
    with unit_of_work(make_session_factory(web.engine)) as session:
        operation = session.execute(select(Operation)).scalar_one()
        session.expunge(operation)
        return operation


def test_a_coordinator_opens_an_event_with_a_partner_and_runs_its_tasks_and_log(
    partnered: Console,
) -> None:
    web = partnered
    web.sign_in("nadia.coord")
    assert 'href="/operations/new"' in web.client.get("/operations").text
    form = web.client.get("/operations/new")
    assert form.status_code == 200
    choice = f"{PARTNER} {REFERENCE}"
    assert f'value="{choice}"' in form.text

    typed = {
        "kind": "event",
        "crime_area": "major_events",
        "handling_code": "H0",
        "title": "Africa Cup of Nations, Rabat",
        "objectives": "Safe matches\nShared incident picture",
        "venues": "Stade Prince Moulay Abdellah; Rabat; 33.9596; -6.8893",
        "starts_at": _local(LATER),
        "ends_at": _local(LATER - timedelta(days=1)),
        "participants": choice,
        # Sent again as it was (a reload, a double click), the form opens nothing more.
        "idempotency_key": _KEY.findall(form.text)[0],
    }
    backwards = web.post("/operations/new", typed)
    assert backwards.status_code == 422
    assert 'value="Africa Cup of Nations, Rabat"' in backwards.text
    assert 'id="e-ends_at"' in backwards.text and "The end comes after the start." in backwards.text
    bad_venue = web.post("/operations/new", {**typed, "ends_at": "", "venues": "Stade; Rabat"})
    assert bad_venue.status_code == 422 and 'id="e-venues"' in bad_venue.text
    assert _count(web, Operation) == 0

    opened = web.post("/operations/new", {**typed, "ends_at": _local(LATER + timedelta(days=20))})
    assert opened.status_code == 200, opened.text[:500]
    assert "The operation is open and sent to its participants." in opened.text
    again = web.post("/operations/new", {**typed, "ends_at": _local(LATER + timedelta(days=20))})
    assert again.status_code == 200
    operation = _operation(web)
    assert operation.kind == "event" and operation.objectives == [
        "Safe matches",
        "Shared incident picture",
    ]
    assert operation.venues[0]["lat"] == pytest.approx(33.9596)
    assert operation.starts_at.replace(tzinfo=None) == LATER.replace(tzinfo=None)
    assert _count(web, Participant) == 1
    assert [e.object_id for e in web.audit("collection", "event")] == [operation.id]

    page = f"/operations/{operation.id}"
    refused = web.post(
        f"{page}/tasks",
        {"task_title": "Brief the contingent", "task_owner": "ES-CNP", "task_due": _local(LATER)},
    )
    assert refused.status_code == 422
    assert 'value="Brief the contingent"' in refused.text
    assert "This agency does not take part in the operation." in refused.text
    assert _count(web, OperationTask) == 0 and _operation(web).version == 1

    missing = web.post(f"{page}/tasks", {"task_title": "Brief the contingent", "task_due": ""})
    assert missing.status_code == 422 and 'id="e-task_due"' in missing.text
    added = web.post(
        f"{page}/tasks",
        {
            "task_title": "Brief the contingent",
            "task_owner": PARTNER,
            "task_assignee": "Capitaine Lemoine",
            "task_due": _local(LATER),
        },
    )
    assert added.status_code == 200 and "Brief the contingent" in added.text
    with unit_of_work(make_session_factory(web.engine)) as session:
        task = session.execute(select(OperationTask)).scalar_one()
        task_id, owner = task.id, task.owner_agency
    assert owner == PARTNER
    done = web.post(f"{page}/tasks/{task_id}/done")
    assert done.status_code == 200 and "The task is marked done." in done.text
    twice = web.post(f"{page}/tasks/{task_id}/done")
    assert twice.status_code == 409 and "This task is done already." in twice.text

    happened = utcnow().replace(second=0, microsecond=0) - timedelta(hours=3)
    noted = web.post(
        f"{page}/notes",
        {
            "note_title": "Gate 4 reopened",
            "note_body": "After the sweep.",
            "note_occurred_at": _local(happened),
        },
    )
    assert noted.status_code == 200 and "Gate 4 reopened" in noted.text
    with unit_of_work(make_session_factory(web.engine)) as session:
        entry = session.execute(select(LogEntry).where(LogEntry.kind == "note")).scalar_one()
        occurred, recorded = entry.occurred_at, entry.recorded_at
    assert occurred.replace(tzinfo=None) == happened.replace(tzinfo=None)
    assert recorded - occurred > timedelta(hours=2)
    assert web.audit("collection", "operation_entry")


def test_operation_forms_follow_policy(partnered: Console) -> None:
    """Liaison officers follow operations without running them: no form, and a post is refused
    by the service (the console's 403 page)."""
    web = partnered
    web.sign_in("nadia.coord")
    typed = {"kind": "operation", "title": "Joint sweep", "starts_at": _local(LATER)}
    assert web.post("/operations/new", typed).status_code == 200
    op_id = _operation(web).id
    web.sign_in("amal.liaison")
    assert 'href="/operations/new"' not in web.client.get("/operations").text
    assert web.client.get("/operations/new").status_code == 403
    page = web.client.get(f"/operations/{op_id}")
    assert page.status_code == 200
    assert "/tasks" not in page.text and "/notes" not in page.text
    assert web.post("/operations/new", {**typed, "title": "Other"}).status_code == 403
    task = {"task_title": "x", "task_due": _local(LATER)}
    assert web.post(f"/operations/{op_id}/tasks", task).status_code == 403
    assert web.post(f"/operations/{op_id}/notes", {"note_title": "x"}).status_code == 403
    assert _count(web, Operation) == 1 and _count(web, OperationTask) == 0


def test_a_trainer_offers_a_course_records_attendance_issues_and_revokes_a_certificate(
    partnered: Console, capsys: pytest.CaptureFixture[str]
) -> None:
    web = partnered
    create_node_keys(web.settings.data_dir, None)
    web.sign_in("omar.trainer")
    listing = web.client.get("/training")
    assert 'href="/training/new"' in listing.text
    form = web.client.get("/training/new")
    assert f'name="seats_{PARTNER}"' in form.text
    typed = {
        "title": "Crowd safety at stadiums",
        "subject": "Crowd management",
        "location": "Kénitra",
        "starts_at": _local(LATER),
        "ends_at": _local(LATER + timedelta(days=3)),
        "certificate_validity_days": "365",
        f"seats_{PARTNER}": "many",
    }
    bad = web.post("/training/new", typed)
    assert bad.status_code == 422 and 'value="Crowd safety at stadiums"' in bad.text
    assert f'id="e-seats_{PARTNER}"' in bad.text and _count(web, Course) == 0
    offered = web.post("/training/new", {**typed, f"seats_{PARTNER}": "2"})
    assert offered.status_code == 200 and "The course is offered" in offered.text
    with unit_of_work(make_session_factory(web.engine)) as session:
        course = session.execute(select(Course)).scalar_one()
        course_id, seats = course.id, course.seats
    assert seats == {PARTNER: 2}

    page = f"/training/{course_id}"
    enrolled = web.post(f"{page}/enrolments", {"person_name": "Samira Idrissi", "person_rank": "1"})
    assert enrolled.status_code == 200 and "The officer is enrolled." in enrolled.text
    twice = web.post(
        f"{page}/enrolments", {"person_name": "Samira Idrissi", "person_rank": "Captain"}
    )
    assert twice.status_code == 422 and 'value="Captain"' in twice.text
    assert "This officer is already enrolled on the course." in twice.text
    assert _count(web, Enrolment) == 1
    with unit_of_work(make_session_factory(web.engine)) as session:
        enrolment_id = session.execute(select(Enrolment.id)).scalar_one()
    present = web.post(f"/training/enrolments/{enrolment_id}/attendance", {"attended": "yes"})
    assert present.status_code == 200 and "Marked present." in present.text
    assert f'action="{page}/certificates"' in present.text
    issued = web.post(f"{page}/certificates")
    assert issued.status_code == 200 and "1 certificate issued" in issued.text
    with unit_of_work(make_session_factory(web.engine)) as session:
        certificate = session.execute(select(Certificate)).scalar_one()
        certificate_id = certificate.id
    assert web.audit("collection", "certificate")

    cert_page = f"/training/certificates/{certificate_id}"
    file = web.client.get(f"{cert_page}/file")
    assert file.status_code == 200 and "attachment" in file.headers["content-disposition"]
    document = file.json()
    valid = web.client.post(
        "/training/verify",
        data={"csrf_token": web.csrf},
        files={"certificate": ("c.json", json.dumps(document), "application/json")},
    )
    assert valid.status_code == 200 and "Valid: the signature of its issuer holds." in valid.text
    altered = {**document, "name": "Another course"}
    tampered = web.client.post(
        "/training/verify",
        data={"csrf_token": web.csrf},
        files={"certificate": ("c.json", json.dumps(altered), "application/json")},
    )
    assert "The signature does not match" in tampered.text
    junk = web.client.post(
        "/training/verify",
        data={"csrf_token": web.csrf},
        files={"certificate": ("c.json", b"not json", "application/json")},
    )
    assert junk.status_code == 422 and "not a Jisr certificate" in junk.text
    verified = [e.details for e in web.audit("consultation", "certificate")]
    assert [d["result"] for d in verified if d.get("event") == "verified"] == [
        "valid",
        "bad_signature",
    ]

    # The printed certificate: a signed PDF in the reader's language that carries the signed
    # credential, verified by the console's form and, offline, by ``jisr training verify``.
    printed = web.client.get(f"{cert_page}/pdf")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert printed.headers["content-type"] == "application/pdf"
    from_pdf = web.client.post(
        "/training/verify",
        data={"csrf_token": web.csrf},
        files={"certificate": ("c.pdf", printed.content, "application/pdf")},
    )
    assert "Valid: the signature of its issuer holds." in from_pdf.text
    pdf_file = web.settings.data_dir / "certificate.pdf"
    pdf_file.write_bytes(printed.content)
    key = load_node_keys(web.settings.data_dir, None).signing_public
    code = main(["training", "verify", str(pdf_file), "--key", key])
    out, err = capsys.readouterr()
    assert code == 0, err[-2000:]
    assert f"valid: urn:jisr:{certificate_id}" in out.splitlines()[-1]
    report_check = ["report", "verify", str(pdf_file), "--key", key]
    assert main(report_check) == 0, capsys.readouterr()
    # A changed byte of the page: the page's signature fails, however the credential reads.
    changed = bytearray(printed.content)
    changed[200] ^= 1
    pdf_file.write_bytes(bytes(changed))
    assert main(report_check) != 0
    capsys.readouterr()

    short = web.post(f"{cert_page}/revoke", {"reason": "no"})
    assert short.status_code == 422 and 'id="e-reason"' in short.text
    revoked = web.post(f"{cert_page}/revoke", {"reason": "Attendance recorded in error"})
    assert revoked.status_code == 200 and "The certificate is revoked" in revoked.text
    assert f'action="{cert_page}/revoke"' not in revoked.text
    after = web.client.post(
        "/training/verify",
        data={"csrf_token": web.csrf},
        files={"certificate": ("c.json", json.dumps(document), "application/json")},
    )
    assert "Its issuer has revoked this certificate." in after.text


def test_training_forms_follow_policy(partnered: Console) -> None:
    web = partnered
    web.sign_in("omar.trainer")
    typed = {
        "title": "Document fraud",
        "subject": "Forged passports",
        "starts_at": _local(LATER),
        "ends_at": _local(LATER + timedelta(days=1)),
    }
    assert web.post("/training/new", typed).status_code == 200
    with unit_of_work(make_session_factory(web.engine)) as session:
        course_id = session.execute(select(Course.id)).scalar_one()
    web.sign_in("amal.liaison")
    assert 'href="/training/new"' not in web.client.get("/training").text
    assert web.client.get("/training/new").status_code == 403
    page = web.client.get(f"/training/{course_id}")
    assert page.status_code == 200 and "/enrolments" not in page.text
    assert web.post("/training/new", typed).status_code == 403
    enrol = web.post(f"/training/{course_id}/enrolments", {"person_name": "Rachid Alaoui"})
    assert enrol.status_code == 403
    assert web.post(f"/training/{course_id}/certificates").status_code == 403
    assert _count(web, Course) == 1 and _count(web, Enrolment) == 0
    web.sign_in("karim.analyst")
    assert web.client.get("/training").status_code == 403
