"""``jisr search "..."``: search as an officer (or as the node); ``jisr search index|reindex|
status``: work off the backlog, rebuild the index, say whether it is complete."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from typer import _click as typer_click  # the click that typer vends, and whose types it uses
from typer.core import TyperGroup

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
    stderr,
    stdout,
)

_SUBCOMMANDS = ("query", "index", "reindex", "status")


class _QueryByDefault(TyperGroup):
    """``jisr search WORDS`` is ``jisr search query WORDS``."""

    def parse_args(self, ctx: typer_click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in _SUBCOMMANDS and args[0] not in {"--help", "-h"}:
            args = ["query", *args]
        return super().parse_args(ctx, args)


search_app = typer.Typer(
    cls=_QueryByDefault,
    help='Search every record you may read: jisr search "words, a name or a phone".',
    no_args_is_help=True,
)
COLUMNS = ("kind", "title", "snippet", "owner_agency", "record_id", "link")


@search_app.command("query")
def query(
    words: Annotated[
        list[str],
        typer.Argument(
            help="What to look for (a name in any script, "
            "words, a phone, an IBAN, a document number)."
        ),
    ],
    types: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only these kinds (repeat, or comma-separated)."),
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Search as this officer (default: the node itself).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Next page (from a previous answer).")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Search (audited as a consultation, like the console's search box)."""
    from jisr.identity.accounts import get_user
    from jisr.identity.auth import actor_for
    from jisr.search import service

    with open_node(data_dir) as node, node.session() as session:
        actor = actor_for(get_user(session, as_user)) if as_user else node.system
        kinds = service.parse_types(types or [])
        page = service.search(
            session, actor, " ".join(words), types=kinds, cursor=cursor, limit=limit
        )
    if fmt is OutputFormat.JSON:
        typer.echo(page.model_dump_json(indent=2))
        return
    counts = ", ".join(f"{k} {n}" for k, n in sorted(page.counts.items())) or "nothing"
    render(
        [r.model_dump() for r in page.results], COLUMNS, fmt, title=f"{page.total} found: {counts}"
    )
    if page.next_cursor:
        stdout.print(f"more: --cursor {page.next_cursor}", highlight=False)
    if page.backlog:
        stderr.print(f"jisr: {page.backlog} record(s) waiting to be indexed", highlight=False)


@search_app.command("index")
def index(
    batch: Annotated[int, typer.Option(min=1, help="Backlog entries per transaction.")] = 500,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Work off the indexing backlog (what ``jisr serve`` does on schedule)."""
    from jisr.search.indexer import backlog_size, drain

    done = failed = 0
    with open_node(data_dir) as node:
        while True:
            with node.session() as session:
                outcome = drain(session, batch)
                left = backlog_size(session)
            done, failed = done + outcome.records, failed + outcome.failed
            if not outcome.records or left <= failed:
                break
    typer.echo(f"indexed {done} backlog entr{'y' if done == 1 else 'ies'}; {left} left")
    if left:
        raise typer.Exit(1)


@search_app.command("reindex")
def reindex(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Rebuild the whole index from the records (a progress bar; searches keep working)."""
    from rich.progress import Progress

    from jisr.search import documents, indexer

    with open_node(data_dir) as node:
        with node.session() as session:
            total = indexer.total_records(session, documents.ALL_SOURCES)
        with Progress(console=stderr, transient=False) as progress:
            task = progress.add_task("indexing", total=total)
            done = indexer.reindex(node.factory, progress=lambda n: progress.advance(task, n))
        with node.session() as session:
            stored = indexer.health(session).documents
    typer.echo(f"reindexed {done} records into {stored} documents")


@search_app.command("status")
def status(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 unless the index is complete.")
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Documents, backlog, and records missing from the index or gone from their tables."""
    from jisr.search.indexer import health

    with open_node(data_dir) as node, node.session() as session:
        found = health(session)
    rows = [
        {"source": s, "missing": found.missing[s], "stale": found.stale.get(s, 0)}
        for s in found.missing
    ]
    if fmt is OutputFormat.JSON:
        typer.echo(
            json.dumps(
                {
                    "documents": found.documents,
                    "backlog": found.backlog,
                    "failing": found.failing,
                    "complete": found.complete,
                    "sources": rows,
                }
            )
        )
    else:
        render(
            rows,
            ("source", "missing", "stale"),
            fmt,
            title=f"{found.documents} documents, backlog {found.backlog} ({found.failing} failing)",
        )
        typer.echo(
            "index complete" if found.complete else "index incomplete: run jisr search index"
        )
    if check and not found.complete:
        raise typer.Exit(1)
