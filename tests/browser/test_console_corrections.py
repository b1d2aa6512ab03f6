"""What the console showed wrong, in Chromium, in Arabic and French, axe clean: each word in its
sense (a message's subject), error pages in the reader's language, impossible facts refused on
their field, a partner's alert as its owner decided it, the audit trail's partial actor filter
and its streamed export."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from jisr.cli.common import open_node
from jisr.notices.models import Notice
from tests.browser.conftest import DemoWorld, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LANGS = ["ar", "fr"]
SUBJECT = {"ar": "الموضوع", "fr": "Objet"}
NOT_SUBJECT = {"ar": "الشخص المعني", "fr": "Personne visée"}


def _clean(page: Any) -> None:
    assert run_axe(page) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_compose_forms_subject_reads_as_a_message_subject(world: DemoWorld, lang: str) -> None:
    page = world.open("rabat", "amal.idrissi", "/exchange/compose", lang)
    assert SUBJECT[lang] in page.locator("label[for=f-subject]").inner_text()
    assert NOT_SUBJECT[lang] not in page.locator("main").inner_text()
    _clean(page)
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_malformed_address_is_explained_in_the_readers_language(
    world: DemoWorld, lang: str
) -> None:
    page = world.open("rabat", "youssef.benali", "/screening", lang)
    page.goto(world.url("rabat", "/screening/hits/not-a-hit"))
    text = page.locator("main").inner_text()
    assert "String should match" not in text and "^[A-Z]" not in text
    assert "hit_id" in text
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    _clean(page)
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_nationality_that_is_no_country_is_refused_on_its_field(
    world: DemoWorld, lang: str
) -> None:
    page = world.open("paris", "claire.martin", "/alerts/new", lang)
    page.select_option("#f-alert_type", "wanted")
    page.select_option("#f-crime_area", "migrant_smuggling")
    page.fill("#f-title", "Fictional courier of forged documents")
    page.fill("#f-name", "Jean Fictif-Exemple")
    page.fill("#f-birth_date", "1979-04-04")
    page.fill("#f-nationality", "ZZ")
    page.fill("#f-offence", "Forgery of passports for a smuggling network")
    page.fill("#f-max_penalty_years", "7")
    page.fill("#f-warrant_reference", "Fictional warrant 2026/0077")
    page.fill("#f-legal_basis", "Fictional penal code art. 441-2")
    page.locator("form button.primary[type=submit]").last.click()
    page.wait_for_load_state()
    error = page.locator("#e-nationality")
    assert error.count() == 1
    assert "ISO 3166" in error.inner_text()
    assert page.locator("#f-nationality").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-nationality").input_value() == "ZZ"
    _clean(page)
    page.close()


def _partner_copy_in_rabat(world: DemoWorld) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open_node(world.data_dir / "rabat") as node, node.session() as session:
            found = session.execute(
                select(Notice.id).where(Notice.origin == "partner", Notice.alert_type == "wanted")
            ).scalar()
        if found:
            return str(found)
        time.sleep(0.5)
    raise AssertionError("Paris's wanted alert never reached Rabat")


@pytest.mark.parametrize("lang", LANGS)
def test_rabats_copy_of_the_paris_alert_says_what_paris_decided(
    world: DemoWorld, lang: str
) -> None:
    notice_id = _partner_copy_in_rabat(world)
    page = world.open("rabat", "amal.idrissi", f"/alerts/{notice_id}", lang)
    main = page.locator("main").inner_text()
    paris = world.nodes["paris"].agency
    checks = page.locator("section[aria-labelledby=checks-title]").inner_text()
    reviews = page.locator("section[aria-labelledby=reviews-title]").inner_text()
    assert paris in checks and "completeness" in checks  # the owner's findings, with codes
    assert paris in reviews
    history = page.locator("section[aria-labelledby=history-title]").inner_text()
    assert f"({paris})" in history  # who published, named
    assert "not run yet" not in main
    _clean(page)
    page.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_audit_trail_filters_by_part_of_a_name_and_exports_it_all(
    world: DemoWorld, lang: str
) -> None:
    page = world.open("rabat", "karim.alaoui", "/audit", lang)
    page.fill("#f-actor", "AMAL")
    page.locator("form[method=get] button.primary").click()
    page.wait_for_load_state()
    actors = page.locator("#audit-rows tr td:nth-child(4)").all_inner_texts()
    assert actors and all("amal" in actor.lower() for actor in actors)
    _clean(page)
    link = page.locator("a[href^='/audit/export']")
    assert link.count() == 1 and "actor=AMAL" in (link.get_attribute("href") or "")
    exported = page.request.get(world.url("rabat", link.get_attribute("href") or ""))
    assert exported.ok and exported.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in exported.text().splitlines()]
    assert rows and all("amal" in row["actor"].lower() for row in rows)
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    page.close()
