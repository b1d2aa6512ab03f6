"""``jisr jobs``: the node's background jobs (they run in ``jisr serve`` or ``jisr worker``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from jisr.jobs.models import Job

from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption, OutputFormat, open_node, render

jobs_app = typer.Typer(no_args_is_help=True, help=__doc__)
Fmt = Annotated[OutputFormat, typer.Option("--format", help="table or json")]
COLUMNS = ["id", "kind", "state", "progress", "note", "error_code", "created_at"]


def _row(job: Job) -> dict[str, object]:
    progress = f"{job.done}/{job.total}" if job.total else str(job.done)
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": progress,
        "note": job.note,
        "error_code": job.error_code or "",
        "error": job.error or "",
        "result": job.result,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else "",
    }


@jobs_app.command("list")
def list_command(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    fmt: Fmt = OutputFormat.TABLE,
) -> None:
    """Every job of the node, newest first."""
    from jisr.jobs import queue

    with open_node(data_dir) as node, node.session() as session:
        rows = [_row(job) for job in queue.list_jobs(session, node.system, limit=limit)]
    render(rows, COLUMNS, fmt, title="Jobs")


@jobs_app.command("show")
def show_command(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: Fmt = OutputFormat.TABLE,
) -> None:
    """One job: its state, progress, result or error."""
    from jisr.jobs import queue

    with open_node(data_dir) as node, node.session() as session:
        row = _row(queue.get_job(session, node.system, job_id))
    render([row], [*COLUMNS, "finished_at", "error"], fmt)


@jobs_app.command("cancel")
def cancel_command(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Cancel a queued or running job."""
    from jisr.jobs import queue

    with open_node(data_dir) as node, node.session() as session:
        job = queue.cancel(session, node.system, job_id)
        typer.echo(f"job {job.id}: {job.state if job.finished else 'cancelling'}")


@jobs_app.command("retry")
def retry_command(
    job_id: Annotated[str, typer.Argument(help="The job's id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Queue a failed job again; it resumes from its checkpoint."""
    from jisr.jobs import queue

    with open_node(data_dir) as node, node.session() as session:
        job = queue.retry(session, node.system, job_id)
        typer.echo(f"job {job.id}: {job.state}")
