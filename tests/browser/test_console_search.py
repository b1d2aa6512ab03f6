"""The search box on a real demo node, in Arabic and French: a name typed in Arabic script finds
the Latin record, a phone typed in the national format finds the demo request; results grouped by
kind, linked, no serious or critical axe-core violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jisr.cli.common import open_node
from jisr.exchange.messages import send_message
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from jisr.identity.accounts import get_user
from jisr.identity.auth import actor_for
from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LIAISON = "amal.idrissi"
SUBJECT = "Crossing organiser seen in Tarifa"


@pytest.fixture(scope="module")
def search_world(world: DemoWorld) -> Iterator[DemoWorld]:
    """Rabat's liaison officer writes to Paris about a person named in Latin script only."""
    node_dir = world.data_dir / "rabat"
    with open_node(node_dir) as node, node.session() as session:
        officer = actor_for(get_user(session, LIAISON))
        send_message(
            session,
            officer,
            MessageCreate(
                to="FR-DGSI",
                agreement="MA-FR/2026/01",
                subject=SUBJECT,
                body="The organiser <b>was</b> seen boarding in Tarifa.",
                crime_area="migrant_smuggling",
                data_category="personal",
                purpose="Identify the organiser",
                entities=[
                    {
                        "id": "search-p1",
                        "schema": "Person",
                        "properties": {"name": ["Youssef El Amrani"]},
                    }
                ],
            ),
            store=BlobStore.for_data_dir(node_dir),
        )
    yield world


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_search_from_the_top_bar(search_world: DemoWorld, lang: str) -> None:
    page = search_world.open("rabat", LIAISON, "/", lang)
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    page.fill("#topsearch-q", "يوسف العمراني")
    page.press("#topsearch-q", "Enter")
    page.wait_for_url("**/search?q=*")
    assert not page.locator(".error-page").count(), page.locator("main").inner_text()[:500]
    results = page.locator("#kind-message .search-results a")
    assert results.count() == 1, page.locator("main").inner_text()[:1500]
    assert SUBJECT in results.first.inner_text()
    people = page.locator("#kind-person .search-results mark")
    assert [people.nth(i).inner_text() for i in range(people.count())] == ["Youssef", "Amrani"]
    # The body's markup is shown as text, never interpreted.
    assert page.locator(".search-snippet b").count() == 0
    assert run_axe(page) == []
    screenshot(page, f"search-{lang}")

    page.goto(search_world.url("rabat", "/search?q=06+00+00+04+18"))
    assert "Tangier–Marseille" in page.locator("#kind-request").inner_text()
    page.click("#kind-request .search-results a")
    page.wait_for_url("**/exchange/messages/**")
    assert run_axe(page) == []
    page.close()
