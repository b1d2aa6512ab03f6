"""The main console pages in both directions: no serious or critical axe-core violation, no
Content-Security-Policy violation, and screenshots in Arabic and French for the README."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# (screenshot name, node, officer, path): the pages officers spend their day on.
MAIN_PAGES = [
    ("home", "rabat", "amal.idrissi", "/"),
    ("messages", "rabat", "amal.idrissi", "/exchange"),
    ("requests", "rabat", "amal.idrissi", "/exchange/requests"),
    ("compose", "rabat", "amal.idrissi", "/exchange/compose"),
    ("alerts", "paris", "claire.martin", "/alerts"),
    ("new-alert", "paris", "claire.martin", "/alerts/new"),
    ("review-queue", "paris", "sophie.laurent", "/review/alerts"),
    ("screening", "rabat", "youssef.benali", "/screening"),
    ("hits", "rabat", "youssef.benali", "/screening/hits"),
    ("partners", "rabat", "amal.idrissi", "/partners"),
    ("dashboard", "rabat", "amal.idrissi", "/dashboard"),
    ("users", "rabat", "admin", "/users"),
    ("audit", "rabat", "karim.alaoui", "/audit"),
]


def _watch_csp(page: Any) -> list[str]:
    errors: list[str] = []

    def collect(message: Any) -> None:
        if "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", collect)
    return errors


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize(
    ("name", "city", "officer", "path"), MAIN_PAGES, ids=[p[0] for p in MAIN_PAGES]
)
def test_main_page_is_accessible_in_both_directions(
    world: DemoWorld, lang: str, name: str, city: str, officer: str, path: str
) -> None:
    page = world.open(city, officer, path, lang)
    csp = _watch_csp(page)
    page.reload()
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("main").count() == 1
    assert not page.locator(".error-page").count(), page.locator("main").inner_text()[:500]
    violations = run_axe(page)
    assert violations == [], violations
    assert csp == []
    screenshot(page, f"{name}-{lang}")
    page.close()
