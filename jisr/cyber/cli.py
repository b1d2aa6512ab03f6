"""``jisr cyber``: import STIX bundles and MISP events, export them, list collections."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
    stderr,
)
from jisr.cyber import service
from jisr.cyber.collections import list_collections
from jisr.cyber.feeds import FeedSpec, add_feed, poll_feed
from jisr.cyber.sharing import expire_indicators
from jisr.cyber.tlp import parse_level

cyber_app = typer.Typer(help="Cyber indicators: STIX 2.1, MISP, TAXII 2.1.", no_args_is_help=True)


class ExportFormat(StrEnum):
    STIX = "stix"
    MISP = "misp"


@cyber_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="A STIX 2.1 bundle or a MISP event JSON; - is stdin.")
    ],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    collection: Annotated[
        str | None, typer.Option(help="Collection id or alias (agreement reference); local.")
    ] = None,
    tlp: Annotated[str, typer.Option(help="TLP for objects without a marking.")] = "amber",
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Named recipient agency (AMBER, RED).")
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Import FILE (format detected) and print counts; bad objects are listed, the rest stored."""
    raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    with open_node(data_dir) as node, node.session() as session:
        outcome = service.import_document(
            session,
            node.system,
            raw,
            collection_key=collection,
            tlp=parse_level(tlp),
            recipients=to or [],
        )
    summary = outcome.summary()
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(summary, indent=2))
        return
    for error in summary["errors"]:
        stderr.print(
            f"rejected object {error['index']} {error['id'] or ''}: {error['message']}"
            f" [{error['code']}]",
            markup=False,
            highlight=False,
        )
    typer.echo(
        f"{outcome.source_format} into {outcome.collection}: {summary['total']} objects,"
        f" {summary['stored']} stored, {summary['unchanged']} unchanged,"
        f" {summary['rejected']} rejected"
    )
    for kind, count in summary["by_type"].items():
        typer.echo(f"  {kind:24} {count}")
    for partner, count in summary["shared"].items():
        typer.echo(f"  shared with {partner}: {count}")


@cyber_app.command("export")
def export_command(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="stix or misp.")
    ] = ExportFormat.STIX,
    collection: Annotated[str | None, typer.Option(help="Collection id or alias.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="File; - is stdout.")] = Path("-"),
) -> None:
    """Export a collection as one STIX 2.1 bundle or as MISP events."""
    with open_node(data_dir) as node, node.session() as session:
        document: object
        if fmt is ExportFormat.STIX:
            document = service.export_bundle(session, node.system, collection)
        else:
            events = service.export_misp(session, node.system, collection)
            document = events[0] if len(events) == 1 else events
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if str(output) == "-":
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


@cyber_app.command("collections")
def collections_command(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """The TAXII collections of this node: the local one and one per cyber agreement."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            {"id": c.id, "alias": c.alias, "title": c.title, "agreement": c.agreement_id}
            for c in list_collections(session, node.agency_code)
        ]
    render(rows, ["id", "alias", "title", "agreement"], fmt, "Collections")


@cyber_app.command("expire")
def expire_command(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Mark expired indicators and tell every partner holding a copy (also run on schedule)."""
    with open_node(data_dir) as node, node.session() as session:
        count = expire_indicators(session, node.agency_code)
    typer.echo(f"{count} indicators expired")


feed_app = typer.Typer(help="TAXII 2.1 feeds this node polls.", no_args_is_help=True)
cyber_app.add_typer(feed_app, name="feed")


@feed_app.command("add")
def feed_add(
    name: Annotated[str, typer.Argument(help="A short name for the feed.")],
    url: Annotated[str, typer.Option(help="The remote TAXII collection URL.")],
    provider: Annotated[str, typer.Option(help="Agency code of the provider.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    agreement: Annotated[str | None, typer.Option(help="Agreement it arrives under.")] = None,
    interval: Annotated[int, typer.Option(help="Seconds between polls.")] = 3600,
    token_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the bearer token.")
    ] = None,
) -> None:
    """Register a feed; its token is read from an environment variable, never an argument."""
    token = os.environ.get(token_env) if token_env else None
    spec = FeedSpec(name, url, provider, token, agreement, interval)
    with open_node(data_dir) as node, node.session() as session:
        feed = add_feed(session, node.system, spec, node.settings.secret)
    typer.echo(f"feed {feed.name} added ({feed.collection_id})")


@feed_app.command("poll")
def feed_poll(
    name: Annotated[str, typer.Argument(help="The feed's name.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Poll one feed now and print counts."""
    with open_node(data_dir) as node:
        result = poll_feed(node.factory, node.system, name, node.settings.secret)
    typer.echo(
        f"feed {name}: {result.stored} stored, {result.unchanged} unchanged,"
        f" {len(result.errors)} rejected"
    )
