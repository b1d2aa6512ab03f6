"""``jisr audit``: verify, export, sign checkpoints and prove entries, for the data-protection
officer and for oversight bodies (``verify-export`` needs no node at all).

The trail's services are imported by the commands themselves, so ``--help`` stays instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption, open_node, stderr
from jisr.errors import ValidationError

if TYPE_CHECKING:
    from jisr.audit.verify import LogReport

app = typer.Typer(help="The tamper-evident, witnessed audit trail.", no_args_is_help=True)

CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--checkpoint", help="A signed checkpoint held outside the node (repeatable).", exists=True
    ),
]
OutputOption = Annotated[Path, typer.Option("--output", "-o", help="File, or - for stdout.")]


@app.command("verify")
def verify(data_dir: DataDirOption = DEFAULT_DATA_DIR, checkpoint: CheckpointFiles = None) -> None:
    """Check the chain, the Merkle tree, every stored checkpoint and co-signature, and the
    checkpoints given. Exit 0 if intact; 1 naming each problem otherwise."""
    from jisr.db import make_engine, make_session_factory, unit_of_work
    from jisr.identity.service import local_agency_code
    from jisr.settings import load_settings
    from jisr.witness.integrity import verify_node_log

    settings = load_settings(data_dir)
    external = [(f"checkpoint {path}", _read_text(path)) for path in checkpoint or []]
    engine = make_engine(settings.effective_database_url)
    try:
        # Verification reads only: it must work even on a node that refuses to start.
        with unit_of_work(make_session_factory(engine, settings.data_dir)) as session:
            report = verify_node_log(session, settings, local_agency_code(session), external)
    finally:
        engine.dispose()
    if report.intact:
        typer.echo(_summary(report))
        return
    first = next((p.seq for p in report.problems if p.seq is not None), None)
    where = f" at entry {first}" if first is not None else ""
    typer.echo(f"audit trail BROKEN{where}: {len(report.problems)} problem(s)", err=True)
    for problem in report.problems:
        typer.echo(f"  [{problem.kind.value}] {problem.message}", err=True)
    raise typer.Exit(1)


def _summary(report: LogReport) -> str:
    return (
        f"audit trail intact: {report.entries} entries, head {report.head_hash[:16]}, "
        f"tree root {report.root_hash[:16]}; {report.checkpoints} checkpoint(s), "
        f"{report.cosignatures} co-signature(s), {report.external} outside checkpoint(s) verified"
    )


@app.command("export")
def export(data_dir: DataDirOption = DEFAULT_DATA_DIR, output: OutputOption = Path("-")) -> None:
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


@app.command("checkpoint")
def checkpoint(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, output: OutputOption = Path("-")
) -> None:
    """Sign a checkpoint of the log as it stands now (C2SP tlog-checkpoint) and print it; keep
    it outside the node to verify against later (``jisr audit verify --checkpoint``)."""
    from jisr.audit import checkpoints
    from jisr.witness.integrity import node_signing_key

    with open_node(data_dir) as node, node.session() as session:
        row = checkpoints.make_checkpoint(
            session, node.agency_code, node_signing_key(node.settings)
        )
        note = row.note
    _write(output, note)
    stderr.print(f"checkpoint of {row.tree_size} entries, root {row.root_hash[:16]}")


@app.command("prove")
def prove(
    entry: Annotated[int, typer.Option("--entry", help="Sequence number of the entry.", min=1)],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Print the inclusion proof (JSON, RFC 9162) of one entry in the newest checkpoint (signed
    now if none covers the entry yet)."""
    from jisr.audit import checkpoints
    from jisr.witness.integrity import node_signing_key

    with open_node(data_dir) as node, node.session() as session:
        latest = checkpoints.latest_checkpoint(session)
        if latest is None or latest.tree_size < entry:
            latest = checkpoints.make_checkpoint(
                session, node.agency_code, node_signing_key(node.settings)
            )
        proof = checkpoints.inclusion(session, entry, latest)
    typer.echo(json.dumps(proof.as_json(), indent=2))


@app.command("verify-export")
def verify_export_command(
    export_file: Annotated[Path, typer.Argument(help="JSON lines from `jisr audit export`.")],
    checkpoint: Annotated[
        list[Path], typer.Option("--checkpoint", help="A signed checkpoint (repeatable).")
    ],
    key: Annotated[
        str,
        typer.Option(
            "--key", help="The node's public key: a signed-note verifier key, base64, or a file."
        ),
    ],
) -> None:
    """Verify an export offline, without the node's database: the chain, and each checkpoint's
    signature and root recomputed from the entries."""
    from jisr.audit.notes import parse_verifier_key
    from jisr.audit.offline import verify_export

    key_text = _read_text(Path(key)) if Path(key).is_file() else key
    name, public = parse_verifier_key(key_text)
    notes = [(f"checkpoint {path}", _read_text(path)) for path in checkpoint]
    with _open(export_file) as lines:
        report = verify_export(lines, notes, public, key_name=name)
    if report.intact:
        sizes = ", ".join(str(size) for _label, size in report.checkpoints)
        typer.echo(
            f"export intact: {report.entries} entries, head {report.head_hash[:16]}; "
            f"checkpoint(s) of {sizes} entries verified"
        )
        return
    typer.echo(f"export BROKEN: {len(report.problems)} problem(s)", err=True)
    for problem in report.problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)


def _open(path: Path) -> IO[bytes]:
    if str(path) == "-":
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except OSError as exc:
        raise ValidationError(
            f"cannot read {path.name}: {exc.strerror}", code="file_unreadable"
        ) from None


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(64 * 1024 + 1)
    except OSError as exc:
        raise ValidationError(
            f"cannot read {path.name}: {exc.strerror}", code="file_unreadable"
        ) from None
    if len(data) > 64 * 1024:
        raise ValidationError(
            f"{path.name} is too large for a checkpoint", code="checkpoint_invalid"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name} is not UTF-8 text", code="checkpoint_invalid") from None


def _write(output: Path, text: str) -> None:
    if str(output) == "-":
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
