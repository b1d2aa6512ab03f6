"""``jisr report`` from the command line: figures, a signed Arabic PDF written to a file with
its detached signature, offline verification by key and by node, tampering and the wrong key
refused with one line and a non-zero exit; the overview and the transparency report as JSON."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jisr.cli.app import main
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.federation.keys import load_node_keys, public_b64
from jisr.reports.periods import current_quarter
from tests.exchange.conftest import LOCAL, PARTNER, add_agreement, pin_partner
from tests.nodes import TestNode, make_node
from tests.reports.seed import Traffic


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def node(tmp_path: Path, db_url: str) -> TestNode:
    made = make_node(tmp_path / "rabat", db_url)
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        pin_partner(session, LOCAL, PARTNER)
        traffic = Traffic(session, add_agreement(session, LOCAL, PARTNER))
        for _ in range(2):
            traffic.message(outbound=False, created_at=utcnow() - timedelta(hours=5))
    engine.dispose()
    return made


def test_figures_pdf_and_offline_verification(
    node: TestNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(node.data_dir)]
    quarter = current_quarter().label
    code, out, err = run(
        ["report", "partner", PARTNER, "--period", quarter, "--format", "json", *data], capsys
    )
    assert code == 0, err
    assert json.loads(out)["messages"] == {"ours": 0, "theirs": 2}

    pdf, sig = tmp_path / "report.pdf", tmp_path / "report.pdf.sig"
    argv = ["report", "partner", PARTNER, "--period", quarter, "--lang", "ar", "-o", str(pdf)]
    code, _out, err = run([*argv, "--signature", str(sig), *data], capsys)
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF-") and "signed with key" in err
    key = load_node_keys(node.data_dir, None).signing_public

    code, out, err = run(["report", "verify", str(pdf), "--key", key], capsys)
    assert code == 0, err
    assert out.startswith(f"valid: signed by {LOCAL}") and f"period={quarter}" in out
    assert "lang=ar" in out
    assert run(["report", "verify", str(pdf), "--data-dir", str(node.data_dir)], capsys)[0] == 0
    # The detached signature verifies the same bytes.
    statement = json.loads(sig.read_text())
    assert statement["format"] == "jisr-report-signature/1"
    code, out, err = run(
        ["report", "verify", str(pdf), "--signature", str(sig), "--key", key], capsys
    )
    assert code == 0, err

    raw = pdf.read_bytes()
    at = len(raw) // 2
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :])
    code, out, err = run(["report", "verify", str(tampered), "--key", key], capsys)
    assert code == 2 and out == ""
    assert err.strip() == (
        "jisr: error: the document was changed after it was signed [report_signature_invalid]"
    )
    other = public_b64(Ed25519PrivateKey.generate().public_key())
    code, _out, err = run(["report", "verify", str(pdf), "--key", other], capsys)
    assert code == 2 and "[report_signature_untrusted]" in err
    # A forged statement: the right key's name on a signature it did not make.
    forged = dict(statement, signature=base64.b64encode(b"\0" * 64).decode())
    fake = tmp_path / "forged.sig"
    fake.write_text(json.dumps(forged))
    code, _out, err = run(
        ["report", "verify", str(pdf), "--signature", str(fake), "--key", key], capsys
    )
    assert code == 2 and "does not verify" in err
    code, _out, err = run(["report", "verify", str(pdf)], capsys)
    assert code == 2 and "[usage]" in err


def test_overview_transparency_and_errors(
    node: TestNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(node.data_dir)]
    code, out, err = run(
        ["report", "overview", "--period", "90d", "--format", "json", *data], capsys
    )
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert [r["partner"] for r in rows] == [PARTNER] and rows[0]["current"]["received"] == 2
    year = str(utcnow().year)
    code, out, err = run(["report", "transparency", "--period", year, *data], capsys)
    assert code == 0, err
    body = json.loads(out)
    assert body["period"]["label"] == year and body["chain_head_seq"] > 0
    out_pdf = tmp_path / "transparency.pdf"
    code, _out, err = run(
        ["report", "transparency", "--period", year, "--lang", "fr", "-o", str(out_pdf), *data],
        capsys,
    )
    assert code == 0, err
    key = load_node_keys(node.data_dir, None).signing_public
    code, out, _err = run(["report", "verify", str(out_pdf), "--key", key], capsys)
    assert code == 0 and "kind=transparency" in out
    code, _out, err = run(["report", "partner", "DE-BKA", *data], capsys)
    assert code == 2 and "[partner_not_found]" in err
    code, _out, err = run(["report", "partner", PARTNER, "--period", "2026-Q7", *data], capsys)
    assert code == 2 and "[period_invalid]" in err
    code, _out, err = run(
        ["report", "partner", PARTNER, "--lang", "de", "-o", str(tmp_path / "x.pdf"), *data], capsys
    )
    assert code == 2 and "[report_language_invalid]" in err
