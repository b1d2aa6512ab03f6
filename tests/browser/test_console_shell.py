"""The console in a real browser: sign-in with TOTP, languages and direction, CSP, axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def test_sign_in_with_totp_opens_the_home_page(world: DemoWorld) -> None:
    context = world.browser.new_context()
    page = context.new_page()
    violations = _csp_errors(page)
    page.goto(world.url("rabat", "/"))
    # Not signed in: the console sends the officer to sign in, then back.
    page.wait_for_url("**/sign-in?next=%2F")
    page.fill("#f-username", "salma.tazi")
    page.fill("#f-password", "wrong password")
    page.fill("#f-totp_code", "000000")
    page.click("button[type=submit].primary")
    assert page.locator(".alert-danger").inner_text() == "Wrong username or password."
    assert page.input_value("#f-username") == "salma.tazi"
    from jisr.cli.demo_data import demo_password

    page.fill("#f-password", demo_password(world.nodes["rabat"]))
    page.fill("#f-totp_code", world.totp_code("rabat", "salma.tazi"))
    page.click("button[type=submit].primary")
    page.wait_for_url(world.url("rabat", "/"))
    assert page.locator("h1").inner_text().startswith("Good to see you")
    assert violations == []
    context.close()


def test_switching_to_arabic_lays_the_page_out_right_to_left(world: DemoWorld) -> None:
    page = world.open("rabat", "karim.alaoui", "/", "en")
    assert page.get_attribute("html", "dir") == "ltr"
    page.click("button[name=lang][value=ar]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    # Really laid out right to left: the brand sits at the right edge of the top bar.
    brand = page.locator(".brand").bounding_box()
    bar = page.locator(".topbar").bounding_box()
    assert brand is not None and bar is not None
    assert brand["x"] + brand["width"] > bar["x"] + bar["width"] * 0.6
    assert page.locator("h2#attention-title").inner_text() == "يحتاج إلى متابعة"
    # The choice is remembered on the account: a new page in the same session stays Arabic.
    page.goto(world.url("rabat", "/"))
    assert page.get_attribute("html", "dir") == "rtl"
    page.click("button[name=lang][value=en]")
    page.close()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_sign_in_page_has_no_serious_accessibility_violation(world: DemoWorld, lang: str) -> None:
    context = world.browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(world.url("paris", "/sign-in"))
    assert page.get_attribute("html", "lang") == lang
    assert run_axe(page) == []
    screenshot(page, f"sign-in-{lang}")
    context.close()


def test_keyboard_reaches_the_sign_in_form_from_the_skip_link(world: DemoWorld) -> None:
    context = world.browser.new_context()
    page = context.new_page()
    page.goto(world.url("paris", "/sign-in"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "f-username"
    context.close()
