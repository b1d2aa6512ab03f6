"""A managed case across real nodes, in the browser: Rabat's liaison officer (in Arabic) writes
to Paris, assigns and labels the case, puts it on hold and closes it with an outcome; Paris's
officer (in French) sees the owner's status and outcome arrive on its copy. Each page is axe
clean, and printing the case leaves the console's chrome out."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _wait(what: str, condition: Any, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def test_a_case_closed_in_rabat_reads_closed_in_paris(world: DemoWorld) -> None:
    subject = f"Go-fast boats off Al Hoceima {uuid.uuid4().hex[:6]}"
    page = world.open("rabat", "amal.idrissi", "/exchange/compose", "ar")
    page.select_option("#f-to", "FR-DGSI")
    page.fill("#f-subject", subject)
    page.fill("#f-body", "Two go-fast boats were seen at night; do you know the hull numbers?")
    page.select_option("#f-crime_area", "migrant_smuggling")
    page.fill("#f-purpose", "Identify the organisers of the crossings")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert "/exchange/cases/" in page.url
    case_url = page.url
    assert page.get_attribute("html", "dir") == "rtl"
    assert "التسلسل الزمني" in page.locator("main").inner_text()
    assert run_axe(page) == []

    page.select_option("#f-assignee", label="Amal Idrissi")
    page.locator("form[action$='/assign'] button[type=submit]").click()
    page.wait_for_load_state()
    page.fill("#f-add", "الحسيمة, go-fast")
    page.locator("form[action$='/labels'] button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "الحسيمة" in page.locator("main").inner_text()

    page.locator("form[action$='/status']").filter(has=page.locator("input[value=hold]")).locator(
        "textarea"
    ).fill("Waiting for the coast guard's report")
    page.locator("form[action$='/status']").filter(has=page.locator("input[value=hold]")).locator(
        "button[type=submit]"
    ).click()
    page.wait_for_load_state()
    assert "عُلّق الملف" in page.locator("main").inner_text()

    close = page.locator("form[action$='/status']").filter(has=page.locator("input[value=close]"))
    close.locator("select[name=outcome]").select_option("arrest")
    close.locator("textarea[name=note]").fill("Both skippers were arrested at Al Hoceima port.")
    close.locator("button[type=submit]").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "ملف مغلق" in main and "توقيف أو تحديد مكان الشخص" in main
    assert run_axe(page) == []
    screenshot(page, "case-ar")

    # Printed, the case is the record and its timeline, without the console around it.
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("form[action$='/status']").first.is_visible()
    assert page.locator(".case-timeline").is_visible()
    page.emulate_media(media="screen")
    page.close()

    ref = case_url.rsplit("/", 1)[1]
    paris = world.open("paris", "claire.martin", f"/exchange/cases/{ref}", "fr")

    def closed_in_paris() -> bool:
        paris.reload()
        return "Dossier clos" in paris.locator("main").inner_text()

    _wait("the closing to reach Paris", closed_in_paris)
    text = paris.locator("main").inner_text()
    assert "Arrestation ou personne localisée" in text
    assert "Both skippers were arrested" in text
    assert "Statut fixé par le propriétaire, MA-DGST" in text
    # Rabat's own notes stay in Rabat.
    assert "الحسيمة" not in text
    assert paris.locator("form[action$='/status']").count() == 0
    assert run_axe(paris) == []
    screenshot(paris, "case-fr")

    paris.goto(world.url("paris", "/exchange/cases?status=closed"))
    assert subject in paris.locator("main").inner_text()
    assert run_axe(paris) == []
    paris.close()
