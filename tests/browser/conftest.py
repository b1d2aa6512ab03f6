"""Browser tests: real demo nodes (Rabat and Paris, served as processes on loopback) driven by
Debian's headless Chromium through Playwright, with axe-core injected for accessibility.

The demo world is built once per test session, in a temporary directory, on free ports. Each
officer signs in once (TOTP codes are single-use) and the signed-in browser context is reused.
Screenshots go to ``JISR_SCREENSHOTS_DIR`` when set (``make screenshots`` → docs/screenshots).
Without Chromium the tests are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest

from jisr.cli.demo_alerts import publish_wanted_in_paris
from jisr.cli.demo_data import LOGINS_FILE, DemoNode, demo_nodes, demo_password, seed_demo
from jisr.cli.demo_story import send_opening_messages
from tests.nodes import served

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SERVED = ("rabat", "paris")  # Madrid stays down: the console must show a partner offline.

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing; `make test` installs it", pytrace=False)
    pytest.skip(f"{what} is not installed (make browser)")


def _free_base_port(count: int = 3) -> int:
    for _attempt in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + count >= 65535:
            continue
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no run of free ports")


@dataclass
class DemoWorld:
    data_dir: Path
    nodes: dict[str, DemoNode]
    urls: dict[str, str]
    seeds: dict[str, str]
    browser: Any
    contexts: dict[str, Any] = field(default_factory=dict)
    last_step: dict[str, int] = field(default_factory=dict)

    def url(self, city: str, path: str = "/") -> str:
        return self.urls[city] + path

    def totp_code(self, city: str, username: str) -> str:
        """A code no earlier sign-in of this user has used: the current step's, else the next
        step's (the node accepts one step of drift), else it waits for a fresh step."""
        totp = pyotp.TOTP(self.seeds[f"{city}/{username}"])
        key = f"{city}/{username}"
        step = int(time.time()) // 30
        last = self.last_step.get(key)
        if last is not None and last >= step:
            step = last + 1
            if step > int(time.time()) // 30 + 1:
                time.sleep(30 - time.time() % 30 + 0.5)
                step = int(time.time()) // 30
        self.last_step[key] = step
        return str(totp.at(step * 30))

    def sign_in(self, city: str, username: str) -> Any:
        """A browser context signed in as ``username`` on ``city``'s node (made once)."""
        key = f"{city}/{username}"
        if key in self.contexts:
            return self.contexts[key]
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(self.url(city, "/sign-in"))
        page.fill("#f-username", username)
        page.fill("#f-password", demo_password(self.nodes[city]))
        page.fill("#f-totp_code", self.totp_code(city, username))
        page.click("button[type=submit].primary")
        page.wait_for_url(self.url(city, "/"))
        page.close()
        self.contexts[key] = context
        return context

    def open(self, city: str, username: str, path: str, lang: str | None = None) -> Any:
        """A new page of ``username``'s session at ``path``, in ``lang`` (switched like a user
        does, with the language buttons; the choice is saved on the account)."""
        page = self.sign_in(city, username).new_page()
        page.goto(self.url(city, path))
        if lang and page.get_attribute("html", "lang") != lang:
            page.click(f"button[name=lang][value={lang}]")
            page.wait_for_load_state()
        return page


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    _require(Path(CHROMIUM).exists(), "Debian's chromium")
    _require(AXE.exists(), "axe-core (npm ci --prefix tests/browser)")
    from playwright.sync_api import sync_playwright

    data_dir = tmp_path_factory.mktemp("demo")
    nodes = {node.slug: node for node in demo_nodes(_free_base_port())}
    seed_demo(data_dir, tuple(nodes.values()))
    send_opening_messages(data_dir)
    publish_wanted_in_paris(data_dir)
    seeds = json.loads((data_dir / LOGINS_FILE).read_text())
    with ExitStack() as stack:
        urls = {
            city: stack.enter_context(served(data_dir / city, nodes[city].port)) for city in SERVED
        }
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        yield DemoWorld(data_dir, nodes, urls, seeds, browser)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (WCAG 2.1 A/AA rules)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot when ``JISR_SCREENSHOTS_DIR`` is set."""
    folder = os.environ.get("JISR_SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
