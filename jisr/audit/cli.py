"""``jisr audit``: verify the chain and export it, for the data-protection officer.

The trail's services are imported by the commands themselves, so ``--help`` stays instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption, open_node, stderr

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@app.command("verify")
def verify(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Recompute the hash chain. Exit 0 if intact; 1 naming the first bad entry otherwise."""
    from jisr.audit import service
    from jisr.db import make_engine, make_session_factory, unit_of_work
    from jisr.settings import load_settings

    settings = load_settings(data_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        # Verification reads only: it must work even on a node that refuses to start.
        with unit_of_work(make_session_factory(engine)) as session:
            result = service.verify_chain(session)
    finally:
        engine.dispose()
    if result.intact:
        typer.echo(f"audit trail intact: {result.entries} entries, head {result.head_hash[:16]}")
        return
    typer.echo(
        f"audit trail BROKEN at entry {result.first_bad_seq}: {result.problem} "
        f"({result.entries} entries verified before it)",
        err=True,
    )
    raise typer.Exit(1)


@app.command("export")
def export(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    output: Annotated[Path, typer.Option("--output", "-o", help="File, or - for stdout.")] = Path(
        "-"
    ),
) -> None:
    """Write every entry as JSON lines (with hashes, so the export can be re-verified)."""
    from jisr.audit import service

    with open_node(data_dir) as node, node.session() as session:
        handle = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8")
        count = 0
        try:
            for entry in service.iter_all(session, node.system):
                handle.write(json.dumps(service.entry_to_json(entry), ensure_ascii=False) + "\n")
                count += 1
        finally:
            if handle is not sys.stdout:
                handle.close()
    stderr.print(f"exported {count} audit entries")
