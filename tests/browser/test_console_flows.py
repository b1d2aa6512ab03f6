"""What officers do in the console, end to end across real nodes: a message composed in Rabat
arrives on Paris's page; a manifest uploaded in Rabat hits Paris's wanted alert (written in
Arabic script) and the hit is confirmed; an alert submitted in Paris reaches the review queue."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jisr.cli.common import open_node
from jisr.watchlists.models import WatchlistEntry
from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _wait(what: str, condition: Any, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def test_message_composed_in_rabat_arrives_on_the_paris_page(world: DemoWorld) -> None:
    subject = f"Boat seen off Nador, hull number to check {uuid.uuid4().hex[:6]}"
    page = world.open("rabat", "amal.idrissi", "/exchange/compose", "en")
    page.select_option("#f-to", "FR-DGSI")
    page.fill("#f-subject", subject)
    page.fill("#f-body", "A semi-rigid boat left at dawn; can you check the hull number?")
    page.select_option("#f-crime_area", "migrant_smuggling")
    page.fill("#f-purpose", "Identify the organisers of the crossing")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert subject in page.locator("main").inner_text()
    page.close()

    paris = world.open("paris", "claire.martin", "/exchange", "fr")

    link = paris.get_by_role("link", name=subject)

    def arrived() -> bool:
        paris.reload()
        return link.count() > 0

    _wait("the message to reach Paris", arrived)
    link.first.click()
    paris.wait_for_load_state()
    assert "A semi-rigid boat left at dawn" in paris.locator("main").inner_text()
    screenshot(paris, "message-fr")
    paris.close()


def test_entity_rows_are_added_and_removed_in_place_by_htmx(world: DemoWorld) -> None:
    page = world.open("rabat", "amal.idrissi", "/exchange/compose", "fr")
    page.fill("#f-subject", "Ligne ajoutée sans recharger")
    page.click("summary:has-text('Téléphones')")
    page.fill("#f-phone-0-number", "+212 6 12 34 56 78")
    page.click("button[value='add:phone']")
    page.locator("#f-phone-1-number").wait_for()
    # Only the rows were redrawn: the rest of the form and the new row's focus are as expected.
    assert page.input_value("#f-subject") == "Ligne ajoutée sans recharger"
    assert page.input_value("#f-phone-0-number") == "+212 6 12 34 56 78"
    assert page.evaluate("document.activeElement.id") == "f-phone-1-number"
    assert run_axe(page) == []
    page.click("button[value='remove:phone-0']")
    page.locator("#f-phone-1-number").wait_for(state="detached")
    assert page.input_value("#f-phone-0-number") == ""
    page.close()


def _rabat_watches_paris_alert(data_dir: Path) -> bool:
    with open_node(data_dir / "rabat") as node, node.session() as session:
        stmt = select(WatchlistEntry.id).where(
            WatchlistEntry.owner_agency == "FR-DGSI", WatchlistEntry.active.is_(True)
        )
        return session.execute(stmt).first() is not None


def test_manifest_upload_hits_the_arabic_spelling_and_the_hit_is_confirmed(
    world: DemoWorld, tmp_path: Path
) -> None:
    _wait(
        "Paris's alert to reach Rabat's watchlist",
        lambda: _rabat_watches_paris_alert(world.data_dir),
    )
    manifest = tmp_path / "AT0999.csv"
    manifest.write_text(
        "id,name,birth_date,nationality\n"
        "A1,Sophie Martin-Exemple,1990-01-01,fr\n"
        "A2,رشيد الفاسي,1983-11-07,ma\n"
        "A3,Omar Bennani-Exemple,1975-05-05,ma\n",
        encoding="utf-8",
    )
    page = world.open("rabat", "youssef.benali", "/screening", "en")
    page.set_input_files("#f-file", str(manifest))
    page.get_by_role("button", name="Upload and screen").click()
    page.wait_for_url("**/screening/manifests/**")
    # Live progress: the fragment polls until the job is done, then lists the hits.
    page.get_by_role("link", name="Review this hit").first.wait_for(timeout=45_000)
    progress = page.locator("#job-progress").inner_text()
    assert "FR-DGSI" in progress
    # Hit / no-hit first: the listed person's name is not shown before the hit is opened.
    assert "Rachid" not in progress
    page.get_by_role("link", name="Review this hit").first.click()
    page.wait_for_url("**/screening/hits/**")
    assert "Rachid El Fassi" not in page.locator("main").inner_text()
    page.fill("#f-justification", "Passport control, desk 4")
    page.get_by_role("button", name="Open").click()
    page.wait_for_load_state()
    assert "Rachid El Fassi" in page.locator("main").inner_text()
    page.fill("#f-reason", "Same birth date and nationality; name is the Arabic spelling")
    page.get_by_role("button", name="Confirm the hit").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "Confirmed" in text
    screenshot(page, "hit-confirmed-en")
    page.close()


def test_alert_submitted_in_paris_appears_in_the_review_queue(world: DemoWorld) -> None:
    title = f"Forger of travel documents {uuid.uuid4().hex[:6]}"
    page = world.open("paris", "claire.martin", "/alerts/new", "en")
    page.select_option("#f-alert_type", "wanted")
    page.select_option("#f-crime_area", "migrant_smuggling")
    page.fill("#f-title", title)
    page.fill("#f-name", "Élodie Fictive-Exemple")
    page.fill("#f-other_names", "إيلودي فيكتيف")
    page.fill("#f-birth_date", "1988-08-08")
    page.fill("#f-nationality", "FR")
    page.fill("#f-offence", "Forgery of passports for a smuggling network")
    page.fill("#f-max_penalty_years", "7")
    page.fill("#f-warrant_reference", "Fictional warrant 2026/0042")
    page.fill("#f-legal_basis", "Fictional penal code art. 441-2")
    page.get_by_role("button", name="Submit for checks and review").click()
    page.wait_for_load_state()
    assert title in page.locator("main").inner_text()
    page.close()

    queue = world.open("paris", "sophie.laurent", "/review/alerts", "ar")
    assert queue.get_attribute("html", "dir") == "rtl"
    assert title in queue.locator("main").inner_text()
    # The Arabic spelling is shown as written, with its transliteration beside it.
    heading = queue.locator("h2", has_text=title)
    heading.get_by_role("link").click()
    queue.wait_for_load_state()
    assert "إيلودي فيكتيف" in queue.locator("main").inner_text()
    screenshot(queue, "alert-review-ar")
    queue.close()
