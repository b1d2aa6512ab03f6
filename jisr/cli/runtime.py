"""``jisr worker``, ``jisr backup``, ``jisr restore``, ``jisr db``: running and keeping a node."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption


def worker(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    deliveries: Annotated[
        bool, typer.Option(help="Run the delivery worker (off: periodic passes only).")
    ] = True,
) -> None:
    """Run deliveries, NATS consumers and periodic passes (alert expiry, reminders) as their
    own process, beside `jisr serve --workers N`; several may run for one node."""
    import asyncio

    from jisr.logs import configure_logging
    from jisr.runtime.worker import run_worker
    from jisr.settings import load_settings

    settings = load_settings(data_dir)
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(run_worker(settings, deliveries=deliveries))


def backup(
    output: Annotated[Path, typer.Option("--output", "-o", help="The tar file to write.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Back up the node: database (online), blobs, keys and node.env, with SHA-256s."""
    from jisr.runtime.backup import backup_node

    result = backup_node(data_dir, output)
    typer.echo(
        f"backup of {result.agency} ({result.backend}) written to {result.path}: "
        f"{result.files} files, {result.bytes} bytes"
    )


def restore(
    archive: Annotated[Path, typer.Argument(help="A tar written by `jisr backup`.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    database_url: Annotated[
        str | None,
        typer.Option(help="New, empty PostgreSQL database (PostgreSQL backups)."),
    ] = None,
) -> None:
    """Restore a backup onto a new data directory (and database); never overwrites."""
    from jisr.runtime.restore import restore_node

    result = restore_node(archive, data_dir, database_url)
    typer.echo(
        f"node {result.agency} ({result.backend}) restored into {result.data_dir}: "
        f"{result.files} files; check it with `jisr audit verify --data-dir {result.data_dir}`"
    )


db_app = typer.Typer(help="The node's database schema.", no_args_is_help=True)


@db_app.command("status")
def db_status(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Print the pending migrations (none: the schema is current)."""
    from jisr.db import make_engine
    from jisr.db.migrate import pending_revisions
    from jisr.settings import load_settings

    engine = make_engine(load_settings(data_dir).effective_database_url)
    try:
        pending = sorted(pending_revisions(engine))
    finally:
        engine.dispose()
    typer.echo(f"{len(pending)} pending: {', '.join(pending)}" if pending else "schema current")


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Apply every pending migration (expand steps are safe while the old release runs)."""
    from jisr.db import make_engine
    from jisr.db.migrate import pending_revisions, upgrade
    from jisr.settings import load_settings

    engine = make_engine(load_settings(data_dir).effective_database_url)
    try:
        count = len(pending_revisions(engine))
        upgrade(engine)
    finally:
        engine.dispose()
    typer.echo(f"schema current ({count} migration(s) applied)")
