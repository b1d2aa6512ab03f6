"""Notifications in a real browser, in Arabic and French: the home page says what arrived (the
partner's wanted alert), the header's bell counts unread notifications and updates live when a
partner's message arrives (no reload), the notifications page lists them read/unread and marks
them read; axe-core finds no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest

from jisr.cli.common import open_node
from jisr.cli.demo_story import _officer
from jisr.exchange.messages import send_message
from jisr.exchange.models import MessageKind
from jisr.exchange.schemas import MessageCreate
from jisr.exchange.storage import BlobStore
from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
TEXTS = {
    "fr": {
        "news": "Nouveau pour vous",
        "alert": "reçue de FR-DGSI",
        "mark_all": "Tout marquer comme lu",
        "alert_item": "Alerte",
    },
    "ar": {
        "news": "جديد لك",
        "alert": "من FR-DGSI",
        "mark_all": "تعليم الكل كمقروء",
        "alert_item": "ورد التنبيه",
    },
}


def _paris_writes_to_rabat(world: DemoWorld, subject: str) -> None:
    """A Paris officer's message to Rabat, queued in Paris (its served node delivers it)."""
    with open_node(world.data_dir / "paris") as node, node.session() as session:
        send_message(
            session,
            _officer(session, "julien.moreau"),
            MessageCreate(
                to="MA-DGST",
                agreement="MA-FR/2026/01",
                kind=MessageKind.MESSAGE,
                subject=subject,
                body="Fictional follow-up for the browser test.",
                crime_area="migrant_smuggling",
                data_category="operational",
                purpose="Follow up the Tangier-Marseille network",
            ),  # fmt: skip
            store=BlobStore.for_data_dir(world.data_dir / "paris"),
        )


def _count(page: Any) -> int:
    value = page.get_attribute(".bell", "data-unread")
    return int(value) if value is not None else -1


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_home_bell_and_notifications_page(world: DemoWorld, lang: str) -> None:
    texts = TEXTS[lang]
    page = world.open("rabat", "amal.idrissi", "/", lang)
    assert page.get_attribute("html", "lang") == lang
    # The partner's wanted alert published while the demo was set up is on the home page.
    page.wait_for_selector(".attention-news", timeout=30000)
    news = page.locator(".attention-news").inner_text()
    assert texts["news"] in news and texts["alert"] in news
    # The bell shows the unread count once the stream is open.
    page.wait_for_selector(".bell[data-unread]", state="attached")
    before = _count(page)
    assert before >= 1
    assert page.locator("[data-bell-count]").inner_text() == str(before)
    assert run_axe(page) == []
    screenshot(page, f"home-notifications-{lang}")

    # Live: a message from Paris raises the count without a reload.
    _paris_writes_to_rabat(world, f"Browser test ({lang})")
    page.wait_for_selector(
        f".bell[data-unread]:not([data-unread='{before}'])", state="attached", timeout=60000
    )
    assert _count(page) == before + 1

    page.click(".bell")
    page.wait_for_url("**/notifications")
    items = page.locator(".notification.unread")
    # Earlier tests' deliveries may still be arriving: count at least, and follow one item by id.
    assert items.count() >= before + 1
    assert run_axe(page) == []
    screenshot(page, f"notifications-{lang}")
    assert page.locator(f"button:has-text('{texts['mark_all']}')").count() == 1
    # The newest (Paris's message) marked read: the alert stays unread for the next officer.
    newest = items.first.get_attribute("data-notification-id")
    page.locator(".notification.unread .notification-mark button").first.click()
    page.wait_for_load_state()
    page.wait_for_selector(
        f".notification[data-notification-id='{newest}']:not(.unread)", state="attached"
    )
    assert page.locator(".notification.unread", has_text=texts["alert_item"]).count() >= 1
    # The bell and the page agree on what is left unread.
    page.reload()
    page.wait_for_selector(".bell[data-unread]", state="attached")
    left = page.locator(".notification.unread").count()
    page.wait_for_selector(f".bell[data-unread='{left}']", state="attached")
    page.close()
