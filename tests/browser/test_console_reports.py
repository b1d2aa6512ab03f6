"""The periodic assessment of a partnership in a real browser, in Arabic and French: the
dashboard shows the service's figures for the chosen partner, its charts mirror in
right-to-left, every partnership is in the overview, the signed PDF downloads and verifies
offline with `jisr report verify`, and the transparency report is for the audit trail's readers
only; axe-core finds no serious or critical violation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jisr.cli.common import open_node
from jisr.cli.demo_story import _officer
from jisr.reports import service
from tests.browser.conftest import DemoWorld, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
TITLES = {
    "fr": {"transparency": "Rapport de transparence"},
    "ar": {"transparency": "تقرير الشفافية"},
}


def _figures(world: DemoWorld, partner: str, period: str) -> tuple[int, int]:
    """What the reports service counts for the liaison officer: sent, received."""
    with open_node(world.data_dir / "rabat") as node, node.session() as session:
        report = service.partner_report(
            session, _officer(session, "amal.idrissi"), partner, period=period
        )
        return (
            report.messages.ours + report.requests.ours,
            report.messages.theirs + report.requests.theirs,
        )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_partner_assessment_and_its_signed_pdf(world: DemoWorld, lang: str, tmp_path: Path) -> None:
    page = world.open("rabat", "amal.idrissi", "/dashboard?partner=FR-DGSI&period=90d", lang)
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("select#f-partner").input_value() == "FR-DGSI"
    # The figures are the service's, for this officer and period.
    sent, received = _figures(world, "FR-DGSI", "90d")
    assert sent + received >= 1  # the demo's opening messages
    digits = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
    assert int(page.locator("#kpi-sent").inner_text().translate(digits)) == sent
    assert int(page.locator("#kpi-received").inner_text().translate(digits)) == received
    # Charts are drawn, mirrored in Arabic.
    charts = page.locator("svg.report-chart")
    assert charts.count() >= 3
    assert (charts.first.get_attribute("class") or "").split().count("rtl") == (lang == "ar")
    # The overview lists every partnership, the chosen one marked.
    overview = page.locator("#table-overview tbody tr")
    assert overview.count() >= 2
    assert page.locator("#table-overview tr[aria-current=true]").count() == 1
    # A liaison officer is not an audit reader: no transparency report.
    assert page.locator("a[href='/dashboard/transparency']").count() == 0
    assert run_axe(page) == []
    screenshot(page, f"dashboard-{lang}")

    with page.expect_download() as download:
        page.click("#download-pdf")
    pdf = tmp_path / f"report-{lang}.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    checked = _verify(world, pdf)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("valid: signed by MA-DGST")
    # One byte changed: refused, with one clear line.
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    tampered = _verify(world, pdf)
    assert tampered.returncode != 0 and len(tampered.stderr.strip().splitlines()) == 1
    page.close()


def _verify(world: DemoWorld, pdf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jisr", "report", "verify", str(pdf)]
        + ["--data-dir", str(world.data_dir / "rabat")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_transparency_report_for_the_auditor(world: DemoWorld, lang: str) -> None:
    page = world.open("rabat", "karim.alaoui", "/dashboard", lang)
    page.click("a[href='/dashboard/transparency']")
    page.wait_for_url("**/dashboard/transparency")
    assert TITLES[lang]["transparency"] in page.locator("h1").inner_text()
    assert run_axe(page) == []
    screenshot(page, f"transparency-{lang}")
    page.close()
    # The liaison officer asking for it directly is refused.
    refused = world.open("rabat", "amal.idrissi", "/", lang)
    answer = refused.goto(world.url("rabat", "/dashboard/transparency"))
    assert answer is not None and answer.status == 403
    assert TITLES[lang]["transparency"] not in refused.locator("main").inner_text()
    refused.close()
