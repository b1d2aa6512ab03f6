"""``jisr backup`` / ``jisr restore`` onto a fresh node, on both backends, then ``audit verify``."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from jisr.audit.service import verify_chain
from jisr.db import make_engine
from jisr.errors import ConflictError
from jisr.federation.models import OutboxMessage
from jisr.runtime.backup import RestoreError, backup_node
from jisr.runtime.restore import restore_node
from tests.conftest import DatabaseFactory, _pg_url
from tests.federation.nodes import FedNode


def jisr(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    return subprocess.run(
        [sys.executable, "-m", "jisr", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _empty_database(databases: DatabaseFactory) -> str | None:
    if databases.server is None:
        return None
    name = f"jisr_restore_{uuid.uuid4().hex[:10]}"
    with databases.server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    databases.created.append(name)
    return _pg_url(name)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_backup_restores_onto_a_fresh_node(
    pair: tuple[FedNode, FedNode], databases: DatabaseFactory, tmp_path: Path
) -> None:
    a, b = pair
    a.send_notes(b.code, 5)
    blob = a.data_dir / "attachments" / "ab" / ("ab" + "0" * 62)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(os.urandom(4096))
    archive = tmp_path / "rabat.tar"
    made = jisr("backup", "--data-dir", str(a.data_dir), "-o", str(archive))
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    names = {m["name"] for m in manifest["members"]}
    assert {"files/node.env", "files/keys/signing.pem", "files/keys/encryption.pem"} <= names
    assert manifest["database"] in names and manifest["agency"] == a.code

    target = tmp_path / "restored"
    url = _empty_database(databases)
    args = ["restore", str(archive), "--data-dir", str(target)]
    restored = jisr(*args, *(["--database-url", url] if url else []))
    assert restored.returncode == 0, restored.stderr
    for rel in ("keys/signing.pem", "keys/encryption.pem", "attachments/ab/" + blob.name):
        assert _digest(target / rel) == _digest(a.data_dir / rel)
    env = (target / "node.env").read_text()
    assert (f"JISR_DATABASE_URL={url}" in env) if url else ("JISR_DATABASE_URL" not in env)

    with a.session() as session:
        original = verify_chain(session)
    verified = jisr("audit", "verify", "--data-dir", str(target))
    assert verified.returncode == 0, verified.stderr
    # Same number of entries and the same head hash as the node it was taken from.
    assert f"{original.entries} entries, head {original.head_hash[:16]}" in verified.stdout
    engine = make_engine(url or f"sqlite:///{target / 'jisr.db'}")
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 5
    engine.dispose()
    with pytest.raises(ConflictError) as refused:
        restore_node(archive, target, url)
    assert refused.value.code == "node_exists"


def test_a_corrupt_backup_restores_nothing(pair: tuple[FedNode, FedNode], tmp_path: Path) -> None:
    a, _b = pair
    archive = tmp_path / "rabat.tar"
    backup_node(a.data_dir, archive)
    # Rewrite the tar with one byte of the signing key changed (sizes unchanged).
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "files/keys/signing.pem":
                data = data[:40] + bytes([data[40] ^ 1]) + data[41:]
            out.addfile(member, io.BytesIO(data))
    target = tmp_path / "restored"
    with pytest.raises(RestoreError) as refused:
        restore_node(damaged, target, "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert refused.value.code == "backup_corrupt"
    assert not (target / "node.env").exists() and not (target / "keys").exists()
    with pytest.raises(ConflictError) as exists:
        backup_node(a.data_dir, archive)
    assert exists.value.code == "backup_exists"
