"""The operations and training pages in Chromium, in French and Arabic: axe-core clean, no CSP
violation; an incident logged at Rabat appears on Paris's event page without a reload (HTMX
polling); and the forms, from opening an operation to revoking a certificate, each with a
refused submission that keeps what was typed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import select

from jisr.actors import system_actor
from jisr.cli.demo_data import LOGINS_FILE, demo_nodes, demo_password, seed_demo
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.service import begin_totp_enrolment, confirm_totp_enrolment
from jisr.operations import service
from jisr.operations.models import Operation, OperationKind
from jisr.operations.schemas import OperationCreate, ParticipantCreate, Venue
from jisr.settings import load_settings
from tests.browser.conftest import (
    DemoWorld,
    _free_base_port,
    run_axe,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SERVED_CITIES = ("rabat", "paris")


@pytest.fixture(scope="module")
def world(world: DemoWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    """The demo's Rabat and Paris, served with a start-up allowance for a loaded machine (the
    shared fixture allows 30 s); no opening messages, which these pages do not need. Pages open
    in the shared world's browser: one Playwright per process (a second one refuses to start
    inside the first one's event loop)."""
    shared = world
    data_dir = tmp_path_factory.mktemp("ops-demo")
    nodes = {node.slug: node for node in demo_nodes(_free_base_port())}
    seed_demo(data_dir, tuple(nodes.values()))
    seeds = json.loads((data_dir / LOGINS_FILE).read_text())
    processes = [_serve(data_dir / city, nodes[city].port) for city in SERVED_CITIES]
    try:
        for city, process in zip(SERVED_CITIES, processes, strict=True):
            _wait(nodes[city].url, process)
        urls = {city: nodes[city].url for city in SERVED_CITIES}
        own = DemoWorld(data_dir, nodes, urls, seeds, shared.browser)
        try:
            yield own
        finally:
            for context in own.contexts.values():
                context.close()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    with (data_dir / "server.log").open("ab") as log:
        command = [sys.executable, "-m", "jisr", "serve", "--data-dir", str(data_dir)]
        return subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=log)


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


COORDINATORS = {"rabat": "nadia.benjelloun", "paris": "marc.dubois"}
TITLE = "Africa Cup of Nations, Rabat"


def _coordinator(world: DemoWorld, city: str) -> str:
    username = COORDINATORS[city]
    key = f"{city}/{username}"
    if key in world.seeds:
        return username
    settings = load_settings(world.data_dir / city)
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
            user = create_user(
                session,
                actor_for(admin),
                username=username,
                display_name=username.replace(".", " ").title(),
                agency_code=None,
                roles=[Role.COORDINATOR, Role.TRAINER],
                password=demo_password(world.nodes[city]),
            )
            seed, _uri = begin_totp_enrolment(session, settings, user)
            confirm_totp_enrolment(
                session, settings, user, pyotp.TOTP(seed).at(utcnow(), counter_offset=-1)
            )
    finally:
        engine.dispose()
    world.seeds[key] = seed
    world.last_step[key] = int(time.time()) // 30 - 1
    return username


def _event(world: DemoWorld) -> str:
    settings = load_settings(world.data_dir / "rabat")
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            existing = session.execute(
                select(Operation.id).where(Operation.title == TITLE)
            ).scalar()
            if existing:
                return str(existing)
            start = utcnow() + timedelta(days=3)
            data = OperationCreate(
                title=TITLE,
                kind=OperationKind.EVENT,
                crime_area="terrorism",  # type: ignore[arg-type]
                starts_at=start,
                ends_at=start + timedelta(days=20),
                venues=[
                    Venue(
                        name="Stade Prince Moulay Abdellah", city="Rabat", lat=33.9596, lon=-6.8893
                    ),
                    Venue(name="Stade Moulay Hassan", city="Rabat", lat=33.983, lon=-6.852),
                ],
                participants=[ParticipantCreate(agency="FR-DGSI", agreement="MA-FR/2026/01")],
            )
            return service.create_operation(session, system_actor("MA-DGST"), data).id
    finally:
        engine.dispose()


def _csp(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    return errors


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("path", ["/operations", "/training", "EVENT"])
def test_operations_pages_are_accessible(world: DemoWorld, lang: str, path: str) -> None:
    event_id = _event(world)
    officer = _coordinator(world, "rabat")
    page = world.open(
        "rabat", officer, f"/operations/{event_id}" if path == "EVENT" else path, lang
    )
    csp = _csp(page)
    page.reload()
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert not page.locator(".error-page").count(), page.locator("main").inner_text()[:500]
    assert run_axe(page) == []
    assert csp == []
    page.close()


def test_incident_logged_in_rabat_appears_live_in_paris(world: DemoWorld) -> None:
    event_id = _event(world)
    paris_page = world.open("paris", _coordinator(world, "paris"), "/operations", "fr")
    deadline = time.monotonic() + 30
    while TITLE not in paris_page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        paris_page.reload()
    paris_page.goto(world.url("paris", f"/operations/{event_id}"))
    rabat_page = world.open("rabat", _coordinator(world, "rabat"), f"/operations/{event_id}", "fr")
    rabat_page.fill("#f-title", "Colis abandonné porte 4")
    rabat_page.select_option("#f-severity", "high")
    rabat_page.click("form[action$='/incidents'] button[type=submit]")
    rabat_page.wait_for_load_state()
    assert "Colis abandonné porte 4" in rabat_page.locator("#ops-log").inner_text()
    paris_page.locator("#ops-log").get_by_text("Colis abandonné porte 4").wait_for(timeout=30_000)
    rabat_page.close()
    paris_page.close()


def _axe_clean(page: Any, name: str) -> None:
    assert not page.locator(".error-page").count(), page.locator("main").inner_text()[:500]
    assert run_axe(page) == []
    screenshot(page, name)


# What a refusal says, in the page's language (the catalogues' translations).
ENDS_BEFORE_START = {"fr": "La fin vient après le début.", "ar": "تأتي النهاية بعد البداية."}
ALREADY_ENROLLED = {
    "fr": "Cet agent est déjà inscrit à la formation.",
    "ar": "هذا الضابط مسجّل في الدورة من قبل.",
}
OPERATION_TITLES = {"fr": "Sécurisation du port de Tanger", "ar": "تأمين ميناء طنجة المتوسط"}
VALID = {
    "fr": "Valide : la signature de son émetteur est correcte.",
    "ar": "صالحة: توقيع الجهة المُصدِرة سليم.",
}
REVOKED = {"fr": "Son émetteur a révoqué ce certificat.", "ar": "ألغت الجهة المُصدِرة هذه الشهادة."}
COURSE_TITLES = {"fr": "Sécurité des stades", "ar": "أمن الملاعب"}


def _local(days: int, hour: int = 9) -> str:
    when = utcnow() + timedelta(days=days)
    return when.strftime("%Y-%m-%dT") + f"{hour:02d}:00"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_opening_an_operation_and_running_its_tasks_and_log(world: DemoWorld, lang: str) -> None:
    """The new-operation form refuses an end before the start and keeps what was typed; then
    it opens the event with Paris as participant; a task is added and marked done, a note
    written for an earlier time. Every page is axe-clean in the language."""
    officer = _coordinator(world, "rabat")
    page = world.open("rabat", officer, "/operations/new", lang)
    csp = _csp(page)
    page.reload()
    _axe_clean(page, f"operations-new-{lang}")
    title = OPERATION_TITLES[lang]
    page.select_option("#f-kind", "event")
    page.fill("#f-title", title)
    page.fill("#f-objectives", "Contrôle des ferries\nPartage des incidents")
    page.fill("#f-starts_at", _local(10))
    page.fill("#f-ends_at", _local(9))
    page.select_option("#f-participants", ["FR-DGSI MA-FR/2026/01"])
    page.click("form[action='/operations/new'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#e-ends_at").inner_text() == ENDS_BEFORE_START[lang]
    assert page.input_value("#f-title") == title
    assert page.locator("#f-participants option:checked").count() == 1
    _axe_clean(page, f"operations-new-refused-{lang}")

    page.fill("#f-ends_at", _local(12))
    page.click("form[action='/operations/new'] button[type=submit]")
    page.wait_for_url("**/operations/MA-DGST:event:*")
    assert page.locator("h1").inner_text() == title
    assert "FR-DGSI" in page.locator("#participants-title + .table-wrap").inner_text()

    page.fill("#f-task_title", "Brief des officiers de liaison")
    page.select_option("#f-task_owner", "FR-DGSI")
    page.fill("#f-task_due", _local(10, 7))
    page.click("form[action$='/tasks'] button[type=submit]")
    page.wait_for_load_state()
    tasks = page.locator("#tasks")
    assert "Brief des officiers de liaison" in tasks.inner_text()
    tasks.locator("form[action$='/done'] button").click()
    page.wait_for_load_state()
    assert not page.locator("#tasks form[action$='/done']").count()

    page.fill("#f-note_title", "Ferry de 06h00 contrôlé")
    page.fill("#f-note_occurred_at", _local(-1, 6))
    page.click("form[action$='/notes'] button[type=submit]")
    page.wait_for_load_state()
    row = page.locator("#ops-log tr", has_text="Ferry de 06h00 contrôlé")
    happened, recorded = (row.locator("td").nth(i).inner_text() for i in (0, 1))
    assert happened != recorded
    _axe_clean(page, f"operations-event-forms-{lang}")
    assert csp == []
    page.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_course_from_offer_to_verified_and_revoked_certificate(
    world: DemoWorld, lang: str
) -> None:
    """Offer a course with seats for Paris, enrol an officer (twice: refused, the rank kept),
    mark them present, issue the certificate, verify its file and its printed PDF, revoke it,
    verify again."""
    officer = _coordinator(world, "rabat")
    page = world.open("rabat", officer, "/training/new", lang)
    csp = _csp(page)
    page.reload()
    _axe_clean(page, f"training-new-{lang}")
    page.fill("#f-title", COURSE_TITLES[lang])
    page.fill("#f-subject", "Gestion des foules")
    page.fill("#f-starts_at", _local(20))
    page.fill("#f-ends_at", _local(22))
    page.fill("#f-certificate_validity_days", "365")
    page.fill("#f-seats_FR-DGSI", "2")
    page.click("form[action='/training/new'] button[type=submit]")
    page.wait_for_url("**/training/MA-DGST:course:*")
    course_url = page.url
    _axe_clean(page, f"training-course-{lang}")

    page.fill("#f-person_name", "Samira Idrissi")
    page.click("form[action$='/enrolments'] button[type=submit]")
    page.wait_for_load_state()
    page.fill("#f-person_name", "Samira Idrissi")
    page.fill("#f-person_rank", "Commissaire")
    page.click("form[action$='/enrolments'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#e-person_name").inner_text() == ALREADY_ENROLLED[lang]
    assert page.input_value("#f-person_rank") == "Commissaire"
    _axe_clean(page, f"training-enrol-refused-{lang}")

    page.click("form[action$='/attendance'] button[value=yes]")
    page.wait_for_load_state()
    page.click("form[action$='/certificates'] button[type=submit]")
    page.wait_for_load_state()
    page.locator("#certificates a[href^='/training/certificates/']").first.click()
    page.wait_for_load_state()
    _axe_clean(page, f"training-certificate-{lang}")
    certificate_url = page.url
    document = page.request.get(certificate_url + "/file").body()

    page.goto(world.url("rabat", "/training/verify"))
    _axe_clean(page, f"training-verify-{lang}")
    upload = {"name": "certificate.json", "mimeType": "application/json", "buffer": document}
    page.set_input_files("#f-certificate", upload)
    page.click("form[action='/training/verify'] button[type=submit]")
    page.wait_for_load_state()
    verdict = page.locator("#verification").inner_text()
    assert page.locator("#verification .badge-good").count() == 1
    assert VALID[lang] in verdict and "Samira Idrissi" in verdict
    _axe_clean(page, f"training-verified-{lang}")
    printed = page.request.get(certificate_url + "/pdf").body()
    assert printed.startswith(b"%PDF")
    pdf = {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": printed}
    page.set_input_files("#f-certificate", pdf)
    page.click("form[action='/training/verify'] button[type=submit]")
    page.wait_for_load_state()
    assert VALID[lang] in page.locator("#verification").inner_text()

    page.goto(certificate_url)
    page.fill("#f-reason", "Présence enregistrée par erreur")
    page.click("form[action$='/revoke'] button[type=submit]")
    page.wait_for_load_state()
    assert not page.locator("form[action$='/revoke']").count()
    page.goto(world.url("rabat", "/training/verify"))
    page.set_input_files("#f-certificate", upload)
    page.click("form[action='/training/verify'] button[type=submit]")
    page.wait_for_load_state()
    assert REVOKED[lang] in page.locator("#verification").inner_text()
    assert course_url.startswith(world.url("rabat", "/training/"))
    assert csp == []
    page.close()
