"""The officer's desk in Chromium, in French and Arabic, axe clean: a request with a Directive
deadline sent, "back" and sent again, stays one request with its clock; an unreadable name in
screening is blamed on the name; the hits queue shows who, when and where."""

from __future__ import annotations

import uuid

import pytest

from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_request_sent_back_and_sent_again_is_one_request_with_its_clock(
    world: DemoWorld,
) -> None:
    subject = f"Passeport à vérifier {uuid.uuid4().hex[:6]}"
    page = world.open("rabat", "amal.idrissi", "/exchange/compose", "fr")
    page.select_option("#f-to", "FR-DGSI")
    page.fill("#f-subject", subject)
    page.fill("#f-body", "Pouvez-vous vérifier ce passeport avant demain matin ?")
    page.select_option("#f-crime_area", "migrant_smuggling")
    page.select_option("#f-kind", "request")
    page.select_option("#f-deadline", "8h")
    page.fill("#f-purpose", "Vérifier un document de voyage")
    assert (
        "Jusqu’à" in page.locator("#h-body").inner_text()
        or "Jusqu'à" in page.locator("#h-body").inner_text()
    )
    assert run_axe(page) == []
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert subject in page.locator("main").inner_text()
    # The officer goes back to the form and presses "Send" again.
    page.go_back()
    page.wait_for_load_state()
    if page.input_value("#f-subject") != subject:  # a browser that did not keep what was typed
        page.fill("#f-subject", subject)
        page.fill("#f-body", "Pouvez-vous vérifier ce passeport avant demain matin ?")
        page.select_option("#f-crime_area", "migrant_smuggling")
        page.select_option("#f-kind", "request")
        page.fill("#f-purpose", "Vérifier un document de voyage")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    assert "déjà été envoyé" in page.locator("main").inner_text()
    page.goto(world.url("rabat", "/exchange/requests?side=sent"))
    rows = page.locator("tr", has_text=subject)
    assert rows.count() == 1
    assert "encore" in rows.first.inner_text() and "heures" in rows.first.inner_text()
    assert run_axe(page) == []
    rows.first.get_by_role("link", name=subject).click()
    page.wait_for_load_state()
    assert "urgente : 8 heures" in page.locator("main").inner_text()
    assert run_axe(page) == []
    screenshot(page, "request-deadline-fr")
    page.close()


def test_screening_blames_an_unreadable_name_in_arabic_and_the_queue_is_readable(
    world: DemoWorld,
) -> None:
    page = world.open("rabat", "youssef.benali", "/screening", "ar")
    page.fill("#f-name", "---///")
    page.fill("#f-birth_date", "1984-03-12")
    page.fill("#f-flight", "AT 800")
    page.locator("form[action='/screening/check'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "تتعذر قراءة هذا الاسم" in page.locator("#e-name").inner_text()
    assert page.locator("#e-birth_date").count() == 0
    assert page.input_value("#f-name") == "---///"
    assert run_axe(page) == []
    page.goto(world.url("rabat", "/screening/hits"))
    assert page.get_attribute("html", "dir") == "rtl"
    assert run_axe(page) == []
    screenshot(page, "hits-queue-ar")
    page.close()
