"""``jisr watchlist``: import a list, show lists, check a traveller, screen a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
    stderr,
)
from jisr.screening.sources import Rejection
from jisr.watchlists import checks, manifests
from jisr.watchlists.cache import ScreenerCache
from jisr.watchlists.imports import ImportSettings, import_list
from jisr.watchlists.models import ManifestJob
from jisr.watchlists.schemas import TravellerCheck
from jisr.watchlists.service import count_active, list_watchlists

watchlist_app = typer.Typer(help="Watchlists and screening in this node.", no_args_is_help=True)


def _report(rejection: Rejection) -> None:
    stderr.print(f"rejected {rejection}", markup=False, highlight=False)


@watchlist_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="UN XML, OFAC sdn.csv, FtM JSON lines or CSV.")],
    name: Annotated[str, typer.Option("--name", help="The list's name (a new version).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    alert_type: Annotated[str, typer.Option(help="Alert type shown on hits.")] = "sanctions",
    strict: Annotated[bool, typer.Option(help="Store nothing if any row is rejected.")] = False,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Accept a version with no entry or losing more than JISR_WATCHLISTS_MAX_SHRINK "
            "of the previous one's entries.",
        ),
    ] = False,
) -> None:
    """Import FILE as the next version of list NAME; rejected rows go to stderr. A file that
    yields no entry, or far fewer than the list has, is refused without --allow-shrink."""
    with open_node(data_dir) as node, node.session() as session:
        with Progress(TextColumn("{task.description}"), TextColumn("{task.completed} rows")) as bar:
            task = bar.add_task(f"importing {file.name}", total=None)
            result = import_list(
                session,
                node.system,
                name,
                file,
                alert_type=alert_type,
                strict=strict,
                allow_shrink=allow_shrink,
                max_shrink=node.settings.section(ImportSettings).max_shrink,
                on_reject=_report,
                progress=lambda n: bar.update(task, completed=n),
            )
    typer.echo(
        f"{result.watchlist} version {result.version}: {result.entries} entries, "
        f"{len(result.rejections)} rejected"
    )


@watchlist_app.command("list")
def list_command(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """The lists this node screens against."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            {
                "name": w.name,
                "kind": w.kind,
                "version": w.current_version,
                "entries": count_active(session, w.id),
            }
            for w in list_watchlists(session)
        ]
    render(rows, ("name", "kind", "version", "entries"), fmt, "Watchlists")


@watchlist_app.command("check")
def check_command(
    name: Annotated[str, typer.Option("--name")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    birth_date: Annotated[str | None, typer.Option("--birth-date")] = None,
    nationality: Annotated[str | None, typer.Option("--nationality")] = None,
    gender: Annotated[str | None, typer.Option("--gender")] = None,
    document: Annotated[str | None, typer.Option("--document-number")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Screen one traveller (hit / no-hit first; open hits in the console or API)."""
    query = TravellerCheck(
        name=name,
        birth_date=birth_date,
        nationality=nationality,
        gender=gender,
        document_number=document,
    )
    with open_node(data_dir) as node, node.session() as session:
        result = checks.check_traveller(session, node.system, ScreenerCache(), query)
    rows = [c.model_dump() for c in result.candidates]
    render(rows, ("hit_id", "alert_type", "owner_agency", "reference", "score"), fmt, "Hits")
    if not result.hit:
        stderr.print("no hit")


@watchlist_app.command("manifest")
def manifest_command(
    file: Annotated[Path, typer.Argument(help="CSV: id, name, birth_date, nationality, ...")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    threshold: Annotated[float | None, typer.Option(min=0.5, max=1.0)] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Screen a passenger manifest now (a job like the API's), then print its hits."""
    with open_node(data_dir) as node:
        with node.session() as session:
            job = manifests.create_job(
                session,
                node.system,
                node.settings.data_dir,
                file.name,
                file.read_bytes(),
                threshold,
            )
            job_id = job.id
        with Progress(
            TextColumn("screening"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[hits]} hits"),
        ) as bar:
            task = bar.add_task("screening", total=None, hits=0)

            def show(state: ManifestJob) -> None:
                bar.update(task, completed=state.position, hits=state.hits)

            manifests.run_job(node.factory, node.system, ScreenerCache(), job_id, show)
        with node.session() as session:
            job = manifests.get_job(session, node.system, job_id)
            for rejection in manifests.rejections_of(session, job_id):
                stderr.print(f"rejected {file}:{rejection.line}: {rejection.reason}", markup=False)
            rows = []
            for hit in manifests.hits_of(session, job_id):
                info = checks.entry_info(session, hit)
                rows.append(
                    {
                        "traveller": hit.query.get("id"),
                        "hit_id": hit.id,
                        "alert_type": info.alert_type,
                        "owner_agency": info.owner_agency,
                        "reference": info.reference,
                        "score": hit.score,
                    }
                )
            summary = (
                f"{job.status}: {job.screened} screened, {job.hits} hits, {job.rejected} rejected"
            )
            error = job.error
    render(
        rows,
        ("traveller", "hit_id", "alert_type", "owner_agency", "reference", "score"),
        fmt,
        "Hits",
    )
    stderr.print(summary + (f" ({error})" if error else ""))
    if error:
        raise typer.Exit(1)
