"""Backup and restore of a whole node: database, blobs, keys and ``node.env`` in one tar.

The tar holds ``manifest.json`` (what, from which node and schema, with the SHA-256 and size of
every member) and the members: ``database/jisr.db`` (SQLite's online backup API: a consistent
copy while the node runs) or ``database/jisr.pgdump`` (``pg_dump --format=custom``), then every
file of the data directory but the database and what a running node recreates (locks, metrics,
logs). The database is copied first: blobs are immutable and content-addressed, so every blob
a copied row names is already on disk when the files are read.

Restore checks every digest before it writes anything, refuses a directory or database that
already holds a node, and points the restored ``node.env`` at the new database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from jisr import __version__
from jisr.clock import utcnow
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.migrate import pending_revisions
from jisr.errors import ConflictError, JisrError
from jisr.identity.service import local_agency_code
from jisr.settings import load_settings

FORMAT = "jisr-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/jisr.db"
PG_MEMBER = "database/jisr.pgdump"
FILES_PREFIX = "files/"
# Recreated by a running node, or the database itself (copied through its own API).
_SKIPPED = {"jisr.db", "jisr.db-wal", "jisr.db-shm", "jisr.db.lock", "locks", "metrics"}
_CHUNK = 1024 * 1024


class BackupError(JisrError):
    code = "backup_failed"
    http_status = 500


class RestoreError(JisrError):
    code = "restore_invalid"
    http_status = 422


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    agency: str
    backend: str
    files: int
    bytes: int


def backup_node(data_dir: Path, output: Path) -> BackupResult:
    """Write a backup of the node in ``data_dir`` to ``output`` (0600; refuses to overwrite)."""
    if output.exists():
        raise ConflictError(f"{output} exists; refusing to overwrite", code="backup_exists")
    settings = load_settings(data_dir)
    url = settings.effective_database_url
    engine = make_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            agency = local_agency_code(session)
        pending = pending_revisions(engine)
    finally:
        engine.dispose()
    if pending:
        raise BackupError(
            "the schema is not current; upgrade before a backup", code="schema_outdated"
        )
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    with tempfile.TemporaryDirectory(prefix="jisr-backup-") as scratch:
        member = SQLITE_MEMBER if backend == "sqlite" else PG_MEMBER
        dump = Path(scratch) / Path(member).name
        if backend == "sqlite":
            _sqlite_copy(Path(str(make_url(url).database)), dump)
        else:
            _pg_dump(url, dump)
        entries = [_entry(member, dump)]
        files = list(_data_files(data_dir))
        entries += [_entry(FILES_PREFIX + rel, data_dir / rel) for rel in files]
        manifest = {
            "format": FORMAT,
            "jisr_version": __version__,
            "created": utcnow().isoformat(),
            "agency": agency,
            "backend": backend,
            "database": member,
            "members": entries,
        }
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(body), 0o600, int(utcnow().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(dump, arcname=member, recursive=False)
            for rel in files:
                tar.add(data_dir / rel, arcname=FILES_PREFIX + rel, recursive=False)
    size = sum(int(e["size"]) for e in entries)
    return BackupResult(output, agency, backend, len(files), size)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the node writes."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` as the client tools want it (``postgresql://...``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_dump(url: str, target: Path) -> None:
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)]
    _run([*command, "--dbname", libpq_url(url)], "pg_dump", "pgdump_failed")


def _run(command: list[str], what: str, code: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{what} is not installed (PostgreSQL client tools)", code="pg_tools_missing"
        )
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{what}: {last}", code=code)


def _data_files(data_dir: Path) -> Iterator[str]:
    for root, dirs, names in os.walk(data_dir):
        here = Path(root)
        rel_dir = here.relative_to(data_dir)
        if rel_dir == Path("."):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        else:
            dirs.sort()
        for name in sorted(names):
            if rel_dir == Path(".") and (name in _SKIPPED or name.endswith(".log")):
                continue
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield str(path.relative_to(data_dir))


def _entry(name: str, path: Path) -> dict[str, Any]:
    return {"name": name, "size": path.stat().st_size, "sha256": sha256_of(path)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
