"""``jisr training`` and ``jisr event accredit`` from the command line: issue, verify offline
with the issuer's key (one changed byte, expiry, revocation each fail with their reason), and an
accreditation list with broken rows screened row by row."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from jisr.cli.app import main
from jisr.clock import utcnow
from jisr.federation.keys import load_node_keys
from jisr.operations.fixtures import accreditation_csv, watchlist_csv
from tests.nodes import make_node


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_issue_verify_tamper_revoke(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = make_node(tmp_path / "paris", db_url, "FR-DGSI", "FR")
    data = ["--data-dir", str(node.data_dir)]
    course = tmp_path / "course.json"
    course.write_text(
        json.dumps(
            {
                "title": "Crowd screening",
                "subject": "Accreditation checks",
                "starts_at": (utcnow() - timedelta(days=2)).isoformat(),
                "ends_at": (utcnow() - timedelta(days=1)).isoformat(),
                "certificate_validity_days": 365,
            }
        )
    )
    code, out, err = run(["training", "course", str(course), *data], capsys)
    assert code == 0, err
    course_id = out.strip()
    code, out, err = run(
        ["training", "nominate", course_id, "--name", "Émilie Roux (fictional)", *data], capsys
    )
    assert code == 0, err
    assert run(["training", "attend", out.strip(), *data], capsys)[0] == 0
    folder = tmp_path / "certs"
    code, out, err = run(["training", "issue", course_id, "--out", str(folder), *data], capsys)
    assert code == 0, err
    (certificate_file,) = folder.glob("*.json")
    certificate_id = out.strip()
    key = load_node_keys(node.data_dir, None).signing_public

    code, out, err = run(["training", "verify", str(certificate_file), "--key", key], capsys)
    assert code == 0 and out.startswith("valid:"), err
    assert run(["training", "verify", str(certificate_file), *data], capsys)[0] == 0

    raw = certificate_file.read_bytes()
    at = raw.index(b"Crowd screening") + 2
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :])
    code, _out, err = run(["training", "verify", str(tampered), "--key", key], capsys)
    assert code == 2 and "[bad_signature]" in err and "does not match" in err

    code, _out, err = run(
        ["training", "revoke", certificate_id, "--reason", "issued in error", *data], capsys
    )
    assert code == 0, err
    code, out, err = run(["training", "revocations", *data], capsys)
    listing = tmp_path / "revocations.json"
    listing.write_text(out)
    code, _out, err = run(
        ["training", "verify", str(certificate_file), "--key", key, "--revocations", str(listing)],
        capsys,
    )
    assert code == 2 and "[revoked]" in err
    code, _out, err = run(["training", "verify", str(certificate_file), *data], capsys)
    assert code == 2 and "[revoked]" in err

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _out, err = run(["training", "verify", str(broken), "--key", key], capsys)
    assert code == 2 and "[malformed]" in err and len(err.strip().splitlines()) == 1


def test_accreditation_with_broken_rows(
    tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = make_node(tmp_path / "rabat", db_url)
    data = ["--data-dir", str(node.data_dir)]
    wanted = tmp_path / "wanted.csv"
    wanted.write_text(watchlist_csv(extra=50))
    assert run(["watchlist", "import", str(wanted), "--name", "wanted", *data], capsys)[0] == 0
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "title": "Africa Cup of Nations, Rabat",
                "starts_at": utcnow().isoformat(),
                "venues": [{"name": "Stade", "lat": 33.96, "lon": -6.89}],
            }
        )
    )
    code, out, err = run(["event", "create", str(event), *data], capsys)
    assert code == 0, err
    event_id = out.strip()
    people = tmp_path / "volunteers.csv"
    people.write_text(accreditation_csv(120, seed=9, broken=3))
    code, out, err = run(
        ["event", "accredit", event_id, str(people), "--category", "volunteer", *data], capsys
    )
    assert code == 0, err
    assert "120 screened, 2 hits sent to review, 3 rows rejected (done)" in out
    assert err.splitlines() == [
        "line 122: empty name",
        "line 123: expected 5 fields, found 3",
        "line 124: duplicate id 'acc-000000' (first on line 2)",
    ]
    code, out, err = run(["event", "venues", event_id, *data], capsys)
    assert "1. Stade () 33.96000, -6.89000" in out
