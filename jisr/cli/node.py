"""``jisr init`` and ``jisr serve``: create a node, run it."""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.db.migrate import upgrade
from jisr.errors import ConflictError, ValidationError
from jisr.federation.keys import KEYS_DIR, create_node_keys, fingerprint
from jisr.identity.passwords import generate_password
from jisr.identity.service import bootstrap_node
from jisr.ids import AGENCY_CODE
from jisr.settings import NODE_ENV_FILE, load_settings

ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class InitResult:
    data_dir: Path
    agency_code: str
    admin_username: str
    # Set only when the password was generated here; shown once, never stored in clear.
    generated_password: str | None
    signing_fingerprint: str
    encryption_fingerprint: str
    database_url: str


def init_node(
    data_dir: Path,
    *,
    agency: str,
    name: str,
    country: str,
    name_fr: str | None = None,
    name_ar: str | None = None,
    database_url: str | None = None,
) -> InitResult:
    """Create a node: secret, keys, migrated database, local agency, first administrator.

    Refuses to touch a directory or database that already holds a node; on failure removes
    what it created, so a second attempt starts clean.
    """
    if not AGENCY_CODE.match(agency):
        raise ValidationError(
            f"agency code {agency!r} must look like MA-DGST (country, dash, 2-16 letters/digits)",
            code="agency_code_invalid",
        )
    if len(country) != 2 or not country.isalpha():
        raise ValidationError(
            f"country {country!r} must be ISO 3166 alpha-2", code="country_invalid"
        )
    if (data_dir / NODE_ENV_FILE).exists() or (data_dir / KEYS_DIR).exists():
        raise ConflictError(
            f"{data_dir} already holds a node; refusing to overwrite", code="node_exists"
        )
    created_dir = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return _create(data_dir, agency, name, country.upper(), name_fr, name_ar, database_url)
    except BaseException:
        _clean_up(data_dir, created_dir)
        raise


def _create(
    data_dir: Path,
    agency: str,
    name: str,
    country: str,
    name_fr: str | None,
    name_ar: str | None,
    database_url: str | None,
) -> InitResult:
    env_lines = []
    if not os.environ.get("JISR_SECRET_KEY"):
        env_lines.append(f"JISR_SECRET_KEY={secrets.token_urlsafe(48)}")
    database_url = database_url or os.environ.get("JISR_DATABASE_URL")
    if database_url:
        env_lines.append(f"JISR_DATABASE_URL={database_url}")
    _write_private(data_dir / NODE_ENV_FILE, "\n".join(env_lines) + "\n")
    settings = load_settings(data_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        if _holds_node(engine):
            raise ConflictError(
                "the database already holds a node; refusing to overwrite", code="node_exists"
            )
        passphrase = settings.key_passphrase
        keys = create_node_keys(
            data_dir, passphrase.get_secret_value().encode() if passphrase else None
        )
        upgrade(engine)
        given = settings.admin_password.get_secret_value() if settings.admin_password else None
        password = given or generate_password()
        with unit_of_work(make_session_factory(engine)) as session:
            bootstrap_node(
                session,
                agency_code=agency,
                name_en=name,
                name_fr=name_fr or name,
                name_ar=name_ar or name,
                country=country,
                admin_username=ADMIN_USERNAME,
                admin_password=password,
            )
    finally:
        engine.dispose()
    return InitResult(
        data_dir=data_dir,
        agency_code=agency,
        admin_username=ADMIN_USERNAME,
        generated_password=None if given else password,
        signing_fingerprint=fingerprint(keys.signing_public),
        encryption_fingerprint=fingerprint(keys.encryption_public),
        database_url=settings.effective_database_url,
    )


def _holds_node(engine: Engine) -> bool:
    if "agencies" not in inspect(engine).get_table_names():
        return False
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1 FROM agencies WHERE is_local")).first() is not None


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _clean_up(data_dir: Path, created_dir: bool) -> None:
    if created_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
        return
    for leftover in (data_dir / NODE_ENV_FILE, data_dir / KEYS_DIR, data_dir / "jisr.db"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        (data_dir / f"jisr.db{suffix}").unlink(missing_ok=True)
