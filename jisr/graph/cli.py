"""``jisr graph``: sync, resolve a file in batch, entities, neighbours, paths, components, the
judgement queue, judgements, exports and imports."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
    stderr,
)
from jisr.errors import ValidationError
from jisr.graph import formats, judgements, queries
from jisr.graph.batch.common import write_clusters
from jisr.graph.batch.engines import Engine
from jisr.graph.batch.resolve import resolve_file
from jisr.graph.ingest import sync
from jisr.graph.models import Judgement
from jisr.graph.network import TimeWindow

graph_app = typer.Typer(
    help="Entity resolution and link analysis across agencies' records.", no_args_is_help=True
)
Since = Annotated[str | None, typer.Option(help="Statements last seen from (ISO time).")]
Until = Annotated[str | None, typer.Option(help="Statements first seen up to (ISO time).")]


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"--{name} {value!r}: not an ISO time", code="time_invalid") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"--{name} {value!r}: give a time zone (Z)", code="time_invalid")
    return parsed


def _window(since: str | None, until: str | None) -> TimeWindow:
    return TimeWindow(_time(since, "since"), _time(until, "until"))


def _print_subgraph(result: queries.Subgraph, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        payload: dict[str, Any] = {
            "nodes": result.nodes,
            "edges": result.edges,
            "total_nodes": result.total_nodes,
            "next_offset": result.next_offset,
            "communities": result.communities,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    render(result.nodes, ("id", "schema", "label", "cluster"), OutputFormat.TABLE)
    render(result.edges, ("source", "target", "kind", "prop"), OutputFormat.TABLE)


@graph_app.command("sync")
def sync_command(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Ingest the node's new and changed records into the graph and link them."""
    with open_node(data_dir) as node, node.session() as session:
        report = sync(session, node.system, node.agency_code)
    typer.echo(json.dumps(report.to_json()))


@graph_app.command("resolve")
def resolve_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT.jsonl", help="FtM entities.")],
    output: Annotated[
        str, typer.Option("-o", "--output", help="CLUSTERS.jsonl ('-' for stdout).")
    ] = "-",
    engine: Annotated[Engine, typer.Option(help="duckdb (one machine) or spark.")] = Engine.DUCKDB,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes for scoring.")] = 2,
) -> None:
    """Resolve a file in batch: one {"entity_id", "cluster_id"} line per input entity."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    ) as progress:

        def stage(name: str, total: int | None) -> Callable[[int], None]:
            task = progress.add_task(name, total=total)
            return lambda n: progress.advance(task, n)

        result = resolve_file(input_path, engine, workers, stage)
    write_clusters(None if output == "-" else Path(output), result.ids, result.clusters)
    stderr.print(
        f"{len(result.ids)} entities, {result.cluster_count} clusters, {result.links} links",
        highlight=False,
    )


@graph_app.command("entity")
def entity_command(
    entity_id: Annotated[str, typer.Argument()],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """An entity's statements with their sources, and what it is merged with."""
    with open_node(data_dir) as node, node.session() as session:
        view = queries.get_entity(session, node.system, entity_id)
    rows = [s.__dict__ if hasattr(s, "__dict__") else _asdict(s) for s in view.statements]
    if fmt is OutputFormat.JSON:
        typer.echo(
            json.dumps(
                {
                    "id": view.id,
                    "schema": view.schema,
                    "caption": view.caption,
                    "cluster_id": view.cluster_id,
                    "same_as": view.same_as,
                    "statements": rows,
                },
                ensure_ascii=False,
            )
        )
        return
    typer.echo(f"{view.id} ({view.schema}) {view.caption} — cluster {view.cluster_id}")
    render(rows, ("prop", "value", "source_kind", "owner_agency", "handling_code"), fmt)


def _asdict(item: object) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]


@graph_app.command("neighbours")
def neighbours_command(
    entity_id: Annotated[str, typer.Argument()],
    depth: Annotated[int, typer.Option(min=1, max=queries.MAX_DEPTH)] = 1,
    since: Since = None,
    until: Until = None,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 200,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Entities and shared values within DEPTH hops (paged)."""
    with open_node(data_dir) as node, node.session() as session:
        result = queries.neighbours(
            session,
            node.system,
            entity_id,
            depth=depth,
            window=_window(since, until),
            offset=offset,
            limit=limit,
        )
    _print_subgraph(result, fmt)


@graph_app.command("path")
def path_command(
    source: Annotated[str, typer.Argument()],
    target: Annotated[str, typer.Argument()],
    since: Since = None,
    until: Until = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The shortest chain between two entities."""
    with open_node(data_dir) as node, node.session() as session:
        result = queries.shortest_path(
            session, node.system, source, target, window=_window(since, until)
        )
    _print_subgraph(result, fmt)


@graph_app.command("component")
def component_command(
    entity_id: Annotated[str, typer.Argument()],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """The connected component around an entity, with its communities."""
    with open_node(data_dir) as node, node.session() as session:
        result = queries.component(session, node.system, entity_id)
    _print_subgraph(result, fmt)


@graph_app.command("queue")
def queue_command(
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Pairs waiting for a judgement, best score first."""
    with open_node(data_dir) as node, node.session() as session:
        items = judgements.queue(session, node.system, limit=limit)
    render(
        [_asdict(i) for i in items],
        ("left_id", "right_id", "left_caption", "right_caption", "score", "explanation"),
        fmt,
    )


@graph_app.command("judge")
def judge_command(
    left_id: Annotated[str, typer.Argument()],
    right_id: Annotated[str, typer.Argument()],
    judgement: Annotated[Judgement, typer.Argument()],
    reason: Annotated[str, typer.Option()] = "",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Record that two entities are the same (positive), not (negative), or unsure."""
    with open_node(data_dir) as node, node.session() as session:
        row = judgements.judge(session, node.system, left_id, right_id, judgement, reason)
        typer.echo(row.id)


@graph_app.command("retract")
def retract_command(
    judgement_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option()] = "",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Take a judgement back."""
    with open_node(data_dir) as node, node.session() as session:
        judgements.retract(session, node.system, judgement_id, reason)
    typer.echo(f"{judgement_id} retracted")


@graph_app.command("export")
def export_command(
    entity_id: Annotated[str, typer.Argument()],
    export_format: Annotated[
        formats.ExportFormat, typer.Option("--as", help="ftm, graphml, gexf or cytoscape.")
    ] = formats.ExportFormat.FTM,
    depth: Annotated[int, typer.Option(min=1, max=queries.MAX_DEPTH)] = 2,
    recipient: Annotated[str | None, typer.Option(help="Partner agency it is for.")] = None,
    output: Annotated[str, typer.Option("-o", "--output")] = "-",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """The graph around an entity; for a partner only what this node may pass on."""
    with open_node(data_dir) as node, node.session() as session:
        text = formats.export_graph(
            session, node.system, entity_id, export_format, depth=depth, recipient=recipient
        )
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


@graph_app.command("import")
def import_command(
    input_path: Annotated[Path, typer.Argument(metavar="FILE.jsonl")],
    handling_code: Annotated[str, typer.Option(help="H0-H3 for the imported record.")] = "H0",
    crime_area: Annotated[str | None, typer.Option()] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Bring FtM entities (a leak, a registry) into the graph as this agency's record."""
    if handling_code not in ("H0", "H1", "H2", "H3"):
        raise ValidationError("--handling-code must be H0 to H3", code="handling_code_invalid")
    if not input_path.is_file():
        raise ValidationError(f"{input_path}: no such file", code="graph_input_missing")
    with open_node(data_dir) as node, node.session() as session, input_path.open("rb") as handle:
        source_id, count = formats.import_ftm(
            session,
            node.system,
            handle,
            name=input_path.name,
            handling_code=handling_code,
            crime_area=crime_area,
        )
    typer.echo(f"{source_id}: {count} entities")
