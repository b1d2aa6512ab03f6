"""Cyber console pages in Arabic and French on a real demo node: no serious or critical
axe-core violation, no Content-Security-Policy violation; import through the upload form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from jisr.cli.common import open_node
from jisr.cli.demo_data import demo_password
from jisr.cyber import service
from jisr.cyber.demo import campaign_bundle
from jisr.cyber.tlp import Tlp
from jisr.identity.accounts import create_user
from jisr.identity.models import Role, User
from jisr.identity.service import begin_totp_enrolment, confirm_totp_enrolment
from tests.browser.conftest import DemoWorld, run_axe, screenshot
from tests.cyber.data import bundle, indicator

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ANALYST = "leila.bennani"


@pytest.fixture(scope="module")
def cyber_world(world: DemoWorld) -> Iterator[DemoWorld]:
    """Rabat gets a CERT analyst (TOTP enrolled) and the demo campaign in its store."""
    node_dir = world.data_dir / "rabat"
    with open_node(node_dir) as node, node.session() as session:
        user = session.execute(select(User).where(User.username == ANALYST)).scalar_one_or_none()
        if user is None:
            user = create_user(
                session, node.system, username=ANALYST, display_name="Leila Bennani",
                agency_code=node.agency_code, roles=[Role.CERT_ANALYST],
                password=demo_password(world.nodes["rabat"]),
            )  # fmt: skip
            seed, _uri = begin_totp_enrolment(session, node.settings, user)
            confirm_totp_enrolment(session, node.settings, user, pyotp.TOTP(seed).now())
            user.totp_last_step = None
            world.seeds[f"rabat/{ANALYST}"] = seed
        service.import_objects(session, node.system, campaign_bundle(), tlp=Tlp.GREEN)
    yield world


def _watch_csp(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    return errors


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_cyber_pages_are_accessible(cyber_world: DemoWorld, lang: str, tmp_path: Path) -> None:
    indicator_id = campaign_bundle()[2]["id"]
    for name, path in (("cyber", "/cyber"), ("cyber-object", f"/cyber/objects/{indicator_id}")):
        page = cyber_world.open("rabat", ANALYST, path, lang)
        csp = _watch_csp(page)
        page.reload()
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        assert not page.locator(".error-page").count(), page.locator("main").inner_text()[:500]
        assert run_axe(page) == []
        assert csp == []
        screenshot(page, f"{name}-{lang}")
        page.close()
    # Import through the form: the job's page follows it live (no reload), then links to the
    # result, which lists the refused object with its code.
    upload = tmp_path / "bundle.json"
    bad = {"type": "indicator", "id": "indicator--0f0e0d0c-0b0a-4909-8807-060504030201"}
    upload.write_text(json.dumps(bundle([indicator(77), bad])))
    page = cyber_world.open("rabat", ANALYST, "/cyber", lang)
    page.set_input_files("#f-file", str(upload))
    page.click("form[action='/cyber/imports'] button[type=submit]")
    page.wait_for_url("**/jobs/**")
    assert run_axe(page) == []
    page.locator("#job-progress a.button").click(timeout=60_000)
    page.wait_for_url("**/cyber/imports/**")
    assert "object_invalid" in page.locator("main").inner_text()
    assert run_axe(page) == []
    page.close()
