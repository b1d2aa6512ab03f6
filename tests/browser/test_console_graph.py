"""The graph console in a browser, in French and Arabic: the network drawn by the vendored
Cytoscape.js, the entity page and the judgement queue, axe-clean and within the CSP."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ORGANISER = "MA-DGST.demo-p1"


@pytest.fixture(autouse=True)
def _english_afterwards(world: DemoWorld) -> Any:
    """The language a test chooses is saved on the account: give it back, as other modules of
    the shared demo world expect this officer's console in English."""
    yield
    world.open("rabat", "salma.tazi", "/", "en").close()


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    return errors


def _open_network(world: DemoWorld, lang: str) -> Any:
    page = world.open("rabat", "salma.tazi", f"/graph?entity={ORGANISER}", lang)
    deadline = time.monotonic() + 60
    # The node ingests its records at start-up; reload until the organiser is in the graph.
    while not page.locator("#graph-canvas").count() and time.monotonic() < deadline:
        time.sleep(2)
        page.reload()
    return page


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_network_page_draws_and_is_accessible(world: DemoWorld, lang: str) -> None:
    page = _open_network(world, lang)
    csp = _csp_errors(page)
    page.reload()
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    page.wait_for_selector("#graph-canvas canvas", timeout=20_000)
    assert "+33600000417" in page.locator("table.data").inner_text()
    assert run_axe(page) == []
    assert csp == []
    screenshot(page, f"graph-{lang}")
    page.click(f"a[href='/graph/entities/{ORGANISER}']")
    page.wait_for_load_state()
    assert "حميد آيت لحسن" in page.locator("main").inner_text()
    assert run_axe(page) == []
    page.goto(world.url("rabat", "/graph/queue"))
    assert page.locator("main").count() == 1
    assert run_axe(page) == []
    page.close()
