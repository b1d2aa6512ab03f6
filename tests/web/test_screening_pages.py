"""Screening pages: one traveller (hit / no-hit first), opening a hit, decisions with reasons,
manifests screened in the background with a progress fragment HTMX polls."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.agreements.models import CrimeArea
from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.db import make_session_factory, unit_of_work
from jisr.exchange.models import Message
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.jobs.models import Job, JobState
from jisr.screening.model import Subject
from jisr.watchlists import manifests
from jisr.watchlists.models import HitDecision, ManifestJob, ScreeningHit
from jisr.watchlists.service import upsert_notice_entry
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, pin_partner
from tests.web.conftest import Console

NOTICE = "FR-DGSI:notice:01JD0000000000000000000001"
REFERENCE = "FR-DGSI/2026/R-0042"
# A fictional person, listed in Latin script only.
AMRANI = Subject(
    "x",
    ("Youssef El Amrani",),
    birth_dates=("1984-03-12",),
    nationalities=("ma",),
    gender="male",
    documents=("XK4471029",),
)
_HIT = re.compile(r'href="/screening/hits/([A-Z]{2}-[A-Z0-9]+:hit:[0-9A-Z]+)"')


def _queue_job_as(session: Session, job: ManifestJob, state: JobState) -> None:
    """The queue's job of ``job`` as a runner leaves it: running under another worker's
    lease, or failed (the test sets the manifest's own record alike)."""
    queued = session.get(Job, job.queue_job_id)
    assert queued is not None
    queued.state = state.value
    if state is JobState.RUNNING:
        queued.lease_owner, queued.lease_until = "another worker", utcnow() + timedelta(hours=1)
    else:
        queued.finished_at = utcnow()


def seed_partner_alert(console: Console) -> None:
    with unit_of_work(make_session_factory(console.engine)) as session:
        pin_partner(session, LOCAL, PARTNER)
        add_agreement(session, LOCAL, PARTNER, crime_areas=[CrimeArea.BORDER_SECURITY])
        upsert_notice_entry(
            session,
            notice_id=NOTICE,
            reference=REFERENCE,
            alert_type="wanted",
            owner_agency=PARTNER,
            subject=AMRANI,
        )


def check_arabic_traveller(console: Console) -> str:
    page = console.client.get("/screening")
    assert page.status_code == 200 and "hx-" not in page.text.split("<main", 1)[1]
    result = console.post(
        "/screening/check",
        {"name": "يوسف العمراني", "birth_date": "1984-03-12", "nationality": "MA"},
    )
    assert result.status_code == 200, result.text[:2000]
    hits = _HIT.findall(result.text)
    assert len(hits) == 1
    return str(hits[0])


def test_arabic_name_hits_a_latin_listed_alert_and_shows_only_who_owns_it(
    console: Console,
) -> None:
    seed_partner_alert(console)
    console.sign_in("salma.border")
    result = console.post(
        "/screening/check",
        {"name": "يوسف العمراني", "birth_date": "1984-03-12", "nationality": "MA"},
    )
    assert result.status_code == 200
    assert "HIT" in result.text and "NO HIT" not in result.text
    assert REFERENCE in result.text and PARTNER in result.text and "Wanted person" in result.text
    # Nothing about the listed person until the hit is opened.
    assert "Amrani" not in result.text and "XK4471029" not in result.text
    assert "Why they matched" not in result.text
    [hit_id] = _HIT.findall(result.text)

    summary = console.client.get(f"/screening/hits/{hit_id}")
    assert summary.status_code == 200 and "Amrani" not in summary.text
    assert 'action="/screening/hits/' + hit_id + '/open"' in summary.text
    refused = console.post(f"/screening/hits/{hit_id}/open", {"justification": ""})
    assert refused.status_code == 422 and "This field is required." in refused.text
    assert "Amrani" not in refused.text
    opened = console.post(f"/screening/hits/{hit_id}/open", {"justification": "passport desk 4"})
    assert opened.status_code == 200
    assert "Youssef El Amrani" in opened.text and "XK4471029" in opened.text
    assert "يوسف العمراني" in opened.text and 'class="translit"' in opened.text
    [entry] = [
        e
        for e in console.audit("consultation", "screening_hit")
        if e.object_id == hit_id and e.justification == "passport desk 4"
    ]
    assert entry.details["event"] == "opened"

    nothing = console.post("/screening/check", {"name": "Jean-Baptiste Morel"})
    assert "NO HIT" in nothing.text


def test_confirming_a_hit_drafts_the_follow_up_request_and_is_audited(console: Console) -> None:
    seed_partner_alert(console)
    console.sign_in("salma.border")
    hit_id = check_arabic_traveller(console)
    console.post(f"/screening/hits/{hit_id}/open", {"justification": "secondary control"})
    missing = console.post(f"/screening/hits/{hit_id}/decision", {"verdict": "confirmed"})
    assert missing.status_code == 422 and "This field is required." in missing.text
    done = console.post(
        f"/screening/hits/{hit_id}/decision",
        {"verdict": "confirmed", "reason": "Passport number and birth date match the alert"},
    )
    assert done.status_code == 200 and done.url.path == f"/screening/hits/{hit_id}"
    assert "an urgent follow-up request was sent to the alert&#39;s owner" in done.text
    assert "drafted" not in done.text
    assert "Passport number and birth date match the alert" in done.text
    [combination] = [e for e in console.audit("combination") if e.object_id == hit_id]
    assert combination.justification == "Passport number and birth date match the alert"
    with console.session() as session:
        decision = session.execute(
            select(HitDecision).where(HitDecision.hit_id == hit_id)
        ).scalar_one()
        assert decision.verdict == "confirmed" and decision.followup_message_id
        message = session.get(Message, decision.followup_message_id)
        assert message is not None
        assert (message.kind, message.priority, message.recipient_agency) == (
            "request",
            "urgent",
            PARTNER,
        )
        assert session.get(ScreeningHit, hit_id).status == "confirmed"  # type: ignore[union-attr]


def test_false_positive_needs_a_reason_said_in_french(console: Console) -> None:
    seed_partner_alert(console)
    console.sign_in("salma.border")
    console.post("/language", {"lang": "fr", "next": "/screening"})
    hit_id = check_arabic_traveller(console)
    opened = console.post(f"/screening/hits/{hit_id}/open", {"justification": "contrôle"})
    assert "Youssef El Amrani" in opened.text
    missing = console.post(
        f"/screening/hits/{hit_id}/decision", {"verdict": "false_positive", "reason": " "}
    )
    assert missing.status_code == 422
    assert 'lang="fr"' in missing.text and "Ce champ est obligatoire." in missing.text
    decided = console.post(
        f"/screening/hits/{hit_id}/decision",
        {"verdict": "false_positive", "reason": "Né à une autre date, autre père"},
    )
    assert decided.status_code == 200
    with console.session() as session:
        decision = session.execute(
            select(HitDecision).where(HitDecision.hit_id == hit_id)
        ).scalar_one()
        assert decision.verdict == "false_positive"
        assert decision.reason == "Né à une autre date, autre père"
        assert decision.followup_message_id is None
    [entry] = [e for e in console.audit("alteration", "screening_hit") if e.object_id == hit_id]
    assert entry.details["verdict"] == "false_positive"


MANIFEST = (
    "id,name,birth_date,nationality\n"
    "p1,Youssef El Amrani,1984-03-12,MA\n"
    "p2,Jean-Baptiste Morel,1990-01-05,FR\n"
    "p3,,1980-01-01,FR\n"
)


def test_manifest_upload_shows_live_progress_then_the_hits(console: Console) -> None:
    seed_partner_alert(console)
    console.sign_in("salma.border")
    uploaded = console.post(
        "/screening/manifests",
        files={"file": ("AT0771.csv", MANIFEST.encode(), "text/csv")},
    )
    assert uploaded.status_code == 200, uploaded.text[:2000]
    job_id = uploaded.url.path.rsplit("/", 1)[1]
    assert uploaded.url.path == f"/screening/manifests/{job_id}"
    assert "AT0771.csv" in uploaded.text and 'id="job-progress"' in uploaded.text
    fragment = ""
    for _ in range(200):
        fragment = console.client.get(
            f"/screening/manifests/{job_id}/progress", headers={"HX-Request": "true"}
        ).text
        if "hx-trigger" not in fragment:
            break
        assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
        time.sleep(0.05)
    assert "hx-trigger" not in fragment, "the fragment keeps polling after the job ended"
    assert "Done" in fragment and REFERENCE in fragment
    assert "1 row could not be read" in fragment
    [hit_id] = _HIT.findall(fragment)
    # The traveller as on the manifest is shown; the listed person (documents...) is not.
    assert "Youssef El Amrani" in fragment and "XK4471029" not in fragment
    opened = console.post(f"/screening/hits/{hit_id}/open", {"justification": "flight AT0771"})
    assert "Youssef El Amrani" in opened.text
    listing = console.client.get("/screening/hits")
    assert hit_id in listing.text
    home = console.client.get("/")
    assert "Screening hits awaiting a decision" in home.text


def test_a_running_job_polls_every_second(console: Console) -> None:
    with unit_of_work(make_session_factory(console.engine)) as session:
        user = session.execute(select(User).where(User.username == "salma.border")).scalar_one()
        job = manifests.create_job(
            session, actor_for(user), console.settings.data_dir, "queued.csv", MANIFEST.encode()
        )
        # Running in another worker, so this node's runner leaves it alone.
        _queue_job_as(session, job, JobState.RUNNING)
        job.status = "running"
        job_id = job.id
    console.sign_in("salma.border")
    page = console.client.get(f"/screening/manifests/{job_id}")
    assert page.status_code == 200
    assert f'hx-get="/screening/manifests/{job_id}/progress"' in page.text
    assert 'hx-trigger="every 1s"' in page.text and 'hx-swap="outerHTML"' in page.text
    assert "<script>" not in page.text and " style=" not in page.text


def test_a_file_that_is_not_a_csv_is_refused_clearly(console: Console) -> None:
    console.sign_in("salma.border")
    pdf = console.post(
        "/screening/manifests",
        files={"file": ("manifest.pdf", b"%PDF-1.7\n%binary\x00\x01", "application/pdf")},
    )
    assert pdf.status_code == 422
    assert "This is not a passenger manifest: upload a CSV file" in pdf.text
    json_lines = console.post(
        "/screening/manifests",
        files={"file": ("list.json", b'{"id": "a", "schema": "Person"}\n', "application/json")},
    )
    assert json_lines.status_code == 422 and "not a passenger manifest" in json_lines.text
    empty = console.post("/screening/manifests", data={})
    assert empty.status_code == 422 and "Choose the manifest file" in empty.text


def test_users_who_do_not_screen_get_the_error_page(console: Console) -> None:
    console.sign_in("karim.analyst")
    for url in ("/screening", "/screening/hits"):
        response = console.client.get(url)
        assert response.status_code == 403, url
        assert "text/html" in response.headers["content-type"]
        assert "You are not allowed to do this" in response.text
    refused = console.post("/screening/check", {"name": "Claire Lefebvre"})
    assert refused.status_code == 403
    assert "/screening" not in console.client.get("/").text.split("<main", 1)[0]
    with console.session() as session:
        assert (
            session.execute(select(AuditEntry).where(AuditEntry.object_type == "screening")).first()
            is None
        )


def _poll_until_finished(console: Console, job_id: str) -> str:
    fragment = ""
    for _ in range(200):
        fragment = console.client.get(
            f"/screening/manifests/{job_id}/progress", headers={"HX-Request": "true"}
        ).text
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.05)
    raise AssertionError("the job never finished")


def test_a_failed_manifest_resumes_where_it_stopped(console: Console) -> None:
    seed_partner_alert(console)
    with unit_of_work(make_session_factory(console.engine)) as session:
        user = session.execute(select(User).where(User.username == "salma.border")).scalar_one()
        job = manifests.create_job(
            session, actor_for(user), console.settings.data_dir, "AT0771.csv", MANIFEST.encode()
        )
        # Stopped after its first row (Youssef El Amrani), as a node stopping mid-job leaves it.
        job.status, job.position, job.screened = "failed", 1, 1
        job.error = "interrupted (the node stopped); resume to continue"
        _queue_job_as(session, job, JobState.FAILED)
        job_id = job.id
    console.sign_in("salma.border")
    page = console.client.get(f"/screening/manifests/{job_id}")
    action = f'action="/screening/manifests/{job_id}/resume"'
    assert action in page.text and "continues from row 2" in page.text
    resumed = console.post(f"/screening/manifests/{job_id}/resume")
    assert resumed.status_code == 200 and resumed.url.path == f"/screening/manifests/{job_id}"
    assert "screened again from the last row recorded" in resumed.text
    fragment = _poll_until_finished(console, job_id)
    assert "Done" in fragment and action not in fragment and "The job stopped" not in fragment
    assert "1 row could not be read" in fragment
    with console.session() as session:
        done = session.get(ManifestJob, job_id)
        assert done is not None
        # The rows after the first were screened; the first was not screened twice.
        assert (done.position, done.screened, done.rejected, done.hits) == (3, 2, 1, 0)
    [entry] = [e for e in console.audit("alteration", "manifest") if e.object_id == job_id]
    assert entry.details == {"event": "resumed", "position": 1}
    again = console.post(f"/screening/manifests/{job_id}/resume")
    assert again.status_code == 422 and "only a failed job resumes" in again.text


def test_only_screening_officers_resume_a_manifest(console: Console) -> None:
    with unit_of_work(make_session_factory(console.engine)) as session:
        user = session.execute(select(User).where(User.username == "salma.border")).scalar_one()
        job = manifests.create_job(
            session, actor_for(user), console.settings.data_dir, "x.csv", MANIFEST.encode()
        )
        job.status = "failed"
        _queue_job_as(session, job, JobState.FAILED)
        job_id = job.id
    console.sign_in("karim.analyst")
    assert console.post(f"/screening/manifests/{job_id}/resume").status_code == 403
    with console.session() as session:
        assert session.get(ManifestJob, job_id).status == "failed"  # type: ignore[union-attr]
