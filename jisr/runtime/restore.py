"""``jisr restore``: a backup made by ``jisr backup`` onto a fresh directory and database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.errors import ConflictError
from jisr.federation.keys import KEYS_DIR
from jisr.identity.service import local_agency_code
from jisr.runtime.backup import (
    FILES_PREFIX,
    FORMAT,
    MANIFEST,
    SQLITE_MEMBER,
    BackupError,
    RestoreError,
    libpq_url,
    sha256_of,
)
from jisr.settings import NODE_ENV_FILE


@dataclass(frozen=True, slots=True)
class RestoreResult:
    data_dir: Path
    agency: str
    backend: str
    files: int


def restore_node(archive: Path, data_dir: Path, database_url: str | None = None) -> RestoreResult:
    """Restore ``archive`` into ``data_dir`` (and ``database_url`` for a PostgreSQL backup).
    Every digest is checked before anything is written; nothing is overwritten."""
    if (data_dir / NODE_ENV_FILE).exists() or (data_dir / KEYS_DIR).exists():
        raise ConflictError(
            f"{data_dir} already holds a node; refusing to overwrite", code="node_exists"
        )
    if not archive.is_file():
        raise RestoreError(f"no backup at {archive}", code="backup_missing")
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as scratch:
        staged = Path(scratch)
        manifest = _extract_verified(archive, staged)
        backend = str(manifest["backend"])
        _restore_database(manifest, staged, data_dir, backend, database_url)
        files = [
            str(m["name"]) for m in manifest["members"] if str(m["name"]).startswith(FILES_PREFIX)
        ]
        for name in files:
            target = data_dir / name.removeprefix(FILES_PREFIX)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.replace(staged / name, target)
    _point_env_at(data_dir / NODE_ENV_FILE, database_url if backend == "postgresql" else None)
    url = (
        database_url if backend == "postgresql" else f"sqlite:///{(data_dir / 'jisr.db').resolve()}"
    )
    engine = make_engine(str(url))
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            agency = local_agency_code(session)
    finally:
        engine.dispose()
    if agency != manifest["agency"]:
        raise RestoreError(f"restored node is {agency}, the backup says {manifest['agency']}")
    return RestoreResult(data_dir, agency, backend, len(files))


def _extract_verified(archive: Path, staged: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, mode="r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise RestoreError("the backup has no manifest", code="backup_invalid")
            manifest: dict[str, Any] = json.loads(member.read())
            if manifest.get("format") != FORMAT:
                raise RestoreError(f"not a {FORMAT} backup", code="backup_invalid")
            tar.extractall(staged, filter="data")
    except (tarfile.TarError, ValueError, KeyError) as exc:
        raise RestoreError(f"the backup cannot be read: {exc}", code="backup_invalid") from None
    for entry in manifest["members"]:
        path = staged / str(entry["name"])
        if (
            not path.is_file()
            or path.stat().st_size != entry["size"]
            or sha256_of(path) != entry["sha256"]
        ):
            raise RestoreError(
                f"{entry['name']} is missing or does not match its SHA-256; nothing restored",
                code="backup_corrupt",
            )
    return manifest


def _restore_database(
    manifest: dict[str, Any], staged: Path, data_dir: Path, backend: str, database_url: str | None
) -> None:
    dump = staged / str(manifest["database"])
    if backend == "sqlite":
        if database_url:
            raise RestoreError(
                "a SQLite backup restores into the data directory; drop --database-url",
                code="restore_cross_backend",
            )
        os.replace(staged / SQLITE_MEMBER, data_dir / "jisr.db")
        return
    if not database_url or not database_url.startswith("postgresql"):
        raise RestoreError(
            "a PostgreSQL backup needs --database-url of a new, empty database",
            code="restore_database_required",
        )
    engine = make_engine(database_url)
    try:
        if inspect(engine).get_table_names():
            raise ConflictError(
                "the target database is not empty; refusing to overwrite", code="node_exists"
            )
    finally:
        engine.dispose()
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupError(
            "pg_restore is not installed (PostgreSQL client tools)", code="pg_tools_missing"
        )
    command = [
        tool,
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--dbname",
        libpq_url(database_url),
        str(dump),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"pg_restore: {last}", code="pgrestore_failed")


def _point_env_at(env_file: Path, database_url: str | None) -> None:
    """The restored node's settings name its new database, never the original one."""
    lines = [
        line
        for line in env_file.read_text(encoding="utf-8").splitlines()
        if not line.startswith("JISR_DATABASE_URL=")
    ]
    if database_url:
        lines.append(f"JISR_DATABASE_URL={database_url}")
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env_file.chmod(0o600)
