"""The auditor's tools: ``jisr audit checkpoint``, ``prove``, ``verify-export`` (offline, no
database) and the API's checkpoint, proof and consistency endpoints."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jisr.audit.merkle import verify_consistency, verify_inclusion
from jisr.audit.notes import parse_note, verifier_key, verify_checkpoint
from jisr.cli.app import main
from jisr.db import make_session_factory, unit_of_work
from jisr.federation.keys import load_node_keys
from jisr.federation.node import FederationSettings
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.service import create_user
from jisr.identity.tokens import issue_token
from jisr.node import create_app
from tests.audit.conftest import AGENCY, AuditNode

ORIGIN = f"jisr/{AGENCY}/audit"


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def test_checkpoint_and_inclusion_proof(
    audit_node: AuditNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_node.write(21)
    note = audit_node.checkpoint(tmp_path / "cp.txt").read_text()
    key = load_node_keys(audit_node.data_dir, None).signing.public_key()
    checkpoint = verify_checkpoint(note, ORIGIN, [key]).checkpoint
    assert note.startswith(f"{ORIGIN}\n{checkpoint.size}\n") and "\n\n\u2014 " in note
    capsys.readouterr()
    assert main(["audit", "prove", "--data-dir", str(audit_node.data_dir), "--entry", "7"]) == 0
    proof = json.loads(capsys.readouterr().out)
    assert proof["tree_size"] == checkpoint.size and proof["checkpoint"] == note
    path = [_b64(h) for h in proof["inclusion_path"]]
    verify_inclusion(_b64(proof["leaf_hash"]), 6, checkpoint.size, path, checkpoint.root)
    capsys.readouterr()
    assert main(["audit", "prove", "--data-dir", str(audit_node.data_dir), "--entry", "9999"]) == 2
    assert "[audit_entry_not_covered]" in capsys.readouterr().err


def test_verify_export_offline(
    audit_node: AuditNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_node.write(15)
    early = audit_node.checkpoint(tmp_path / "early.txt")
    audit_node.write(6)
    late = audit_node.checkpoint(tmp_path / "late.txt")
    export = tmp_path / "export.jsonl"
    assert main(["audit", "export", "--data-dir", str(audit_node.data_dir), "-o", str(export)]) == 0
    public = load_node_keys(audit_node.data_dir, None).signing.public_key()
    vkey = tmp_path / "node.vkey"
    vkey.write_text(verifier_key(ORIGIN, public) + "\n")
    args = ["audit", "verify-export", str(export), "--checkpoint", str(early)]
    args += ["--checkpoint", str(late), "--key", str(vkey)]
    capsys.readouterr()
    assert main(args) == 0
    assert "export intact" in capsys.readouterr().out
    # The raw base64 key works too (as the node's card shows it).
    raw = base64.b64encode(public.public_bytes_raw()).decode()
    assert main([*args[:-1], raw]) == 0

    lines = export.read_text().splitlines()
    edited = json.loads(lines[9])
    edited["justification"] = "changed"
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join([*lines[:9], json.dumps(edited), *lines[10:]]) + "\n")
    capsys.readouterr()
    assert main(["audit", "verify-export", str(tampered), *args[3:]]) == 1
    assert "line 10" in capsys.readouterr().err

    short = tmp_path / "short.jsonl"
    short.write_text("\n".join(lines[:12]) + "\n")
    assert main(["audit", "verify-export", str(short), *args[3:]]) == 1
    assert "the export has 12" in capsys.readouterr().err

    other = base64.b64encode(bytes(32)).decode()
    assert main([*args[:-1], other]) == 1
    assert "no valid signature" in capsys.readouterr().err


@pytest.fixture()
def api(audit_node: AuditNode) -> TestClient:
    factory = make_session_factory(audit_node.engine)
    with unit_of_work(factory) as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        users = {}
        for name, role in (("hind", Role.AUDITOR), ("amal", Role.LIAISON)):
            user = create_user(
                session,
                actor_for(admin),
                username=name,
                display_name=name,
                agency_code=None,
                roles=[role],
                password="a long enough password 2026",
            )
            users[name] = issue_token(session, actor_for(user), user.id, "audit", ["*"], 1)[0]
    app = create_app(audit_node.settings.with_sections(FederationSettings(worker_enabled=False)))
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {users['hind']}"
    client.headers["X-Other-Token"] = users["amal"]
    return client


def test_api_checkpoint_proof_and_consistency(audit_node: AuditNode, api: TestClient) -> None:
    audit_node.write(9)
    key = load_node_keys(audit_node.data_dir, None).signing.public_key()
    with api:
        first = api.get("/api/v1/audit/checkpoint", params={"fresh": "true"})
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/plain")
        old = verify_checkpoint(first.text, ORIGIN, [key]).checkpoint
        audit_node.write(4)
        new = parse_note(api.get("/api/v1/audit/checkpoint", params={"fresh": "true"}).text)
        assert new.checkpoint.size > old.size
        proof = api.get("/api/v1/audit/proof", params={"entry": 3}).json()
        verify_inclusion(
            _b64(proof["leaf_hash"]),
            2,
            proof["tree_size"],
            [_b64(h) for h in proof["inclusion_path"]],
            _b64(proof["root_hash"]),
        )
        consistency = api.get(
            "/api/v1/audit/consistency",
            params={"first": old.size, "second": new.checkpoint.size},
        ).json()
        verify_consistency(
            old.size,
            new.checkpoint.size,
            old.root,
            new.checkpoint.root,
            [_b64(h) for h in consistency["consistency_path"]],
        )
        bad = api.get("/api/v1/audit/consistency", params={"first": 5, "second": 10**6})
        assert bad.status_code == 422 and bad.json()["code"] == "audit_sizes_invalid"
        liaison = {"Authorization": f"Bearer {api.headers['X-Other-Token']}"}
        assert api.get("/api/v1/audit/checkpoint", headers=liaison).status_code == 403
