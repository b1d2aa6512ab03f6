"""The root ``jisr`` command: the node commands (init, serve, demo) and every domain's command
groups, declared by the modules of the composition root (``jisr.node.MODULES``).

A group is imported only when it is run (or its own ``--help`` is asked for): ``jisr --help``
shows the declared help lines, so it never pays for FastAPI, SQLAlchemy models, numpy or ICU.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from typer import _click as typer_click  # the click that typer vends, and whose types it uses
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from jisr import __version__
from jisr.cli import runtime
from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption, stderr
from jisr.errors import JisrError
from jisr.modules import CommandGroup
from jisr.node import command_groups, install_listeners

GROUPS: dict[str, CommandGroup] = {group.name: group for group in command_groups()}


class LazyGroup(TyperGroup):
    """The root group: the domains' groups are loaded by name, when needed."""

    _listing = False

    def list_commands(self, ctx: typer_click.Context) -> list[str]:
        own = super().list_commands(ctx)
        return [*own, *(name for name in GROUPS if name not in own)]

    def get_command(self, ctx: typer_click.Context, cmd_name: str) -> typer_click.Command | None:
        found = super().get_command(ctx, cmd_name)
        group = GROUPS.get(cmd_name)
        if found is not None or group is None:
            return found
        if self._listing:
            # Listed in the root's help: the declared line is enough.
            return TyperCommand(group.name, help=group.help, short_help=group.help)
        command = typer.main.get_command(group.load())
        command.name = group.name
        return command

    def format_help(self, ctx: typer_click.Context, formatter: typer_click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="jisr",
    cls=LazyGroup,
    help="Jisr: secure, lawful cooperation between partner security agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Running and keeping a node (jisr/runtime): its own processes, backups, schema.
app.command("worker")(runtime.worker)
app.command("backup")(runtime.backup)
app.command("restore")(runtime.restore)
app.add_typer(runtime.db_app, name="db")


@app.command("demo")
def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where the demo nodes live.")] = Path(
        "demo-data"
    ),
    reset: Annotated[bool, typer.Option(help="Delete the demo nodes and start over.")] = False,
    check: Annotated[
        bool, typer.Option(help="Start, check every node answers, then stop (for CI).")
    ] = False,
    base_port: Annotated[
        int,
        typer.Option(
            "--base-port",
            min=1024,
            max=65533,
            help="Port of the first node; the others take the next ones (Rabat N, Paris N+1, "
            "Madrid N+2).",
        ),
    ] = 8701,
) -> None:
    """Set up and serve the Rabat, Paris and Madrid demo nodes on 127.0.0.1 (ports 8701-8703
    unless --base-port says otherwise)."""
    from jisr.cli.demo import demo as run_demo

    run_demo(data_dir, reset, check, base_port)


@app.command("init")
def init(
    agency: Annotated[str, typer.Option(help="Agency code, e.g. MA-DGST.")],
    name: Annotated[str, typer.Option(help="Agency name (English).")],
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 country code.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    name_fr: Annotated[str | None, typer.Option(help="Name in French.")] = None,
    name_ar: Annotated[str | None, typer.Option(help="Name in Arabic.")] = None,
) -> None:
    """Create a node: keys, database, local agency and first administrator. Never overwrites."""
    from jisr.cli.node import init_node

    result = init_node(
        data_dir, agency=agency, name=name, country=country, name_fr=name_fr, name_ar=name_ar
    )
    typer.echo(f"node {result.agency_code} created in {result.data_dir}")
    typer.echo(f"  signing key fingerprint    {result.signing_fingerprint}")
    typer.echo(f"  encryption key fingerprint {result.encryption_fingerprint}")
    typer.echo(f"  administrator              {result.admin_username}")
    if result.generated_password:
        typer.echo(f"  password (shown once)      {result.generated_password}")


@app.command("serve")
def serve(
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    host: Annotated[str | None, typer.Option(help="Listen address (JISR_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (JISR_PORT).")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="API processes (PostgreSQL; run `jisr worker` beside).")
    ] = 1,
) -> None:
    """Serve the API under /api/v1 and the console under /."""
    import uvicorn

    from jisr.logs import configure_logging
    from jisr.node import create_app
    from jisr.settings import load_settings

    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = load_settings(data_dir, **overrides)
    configure_logging(settings.log_level, settings.log_json)
    if workers > 1:
        from jisr.runtime.serve import serve_workers

        return serve_workers(settings, workers)
    application = create_app(settings)
    uvicorn.run(
        application,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )


@app.callback(invoke_without_command=True)
def root(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


def main(argv: list[str] | None = None) -> int:
    """Entry point: a JisrError becomes one line on stderr and a non-zero exit."""
    install_listeners_on_use(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=argv, standalone_mode=False)
    except JisrError as exc:
        stderr.print(
            f"jisr: error: {exc.detail} [{exc.code}]", highlight=False, markup=False, soft_wrap=True
        )
        return 2 if exc.http_status < 500 else 1
    except (Exit, click.exceptions.Exit) as exc:
        return int(exc.exit_code)
    except (TyperException, click.ClickException) as exc:
        # Usage errors (unknown command or option, bad value): one line, like every error.
        message = exc.format_message()
        context = getattr(exc, "ctx", None)
        hint = f" (see '{context.command_path} --help')" if context is not None else ""
        stderr.print(
            f"jisr: error: {message}{hint} [usage]", highlight=False, markup=False, soft_wrap=True
        )
        return int(getattr(exc, "exit_code", 2))
    except (Abort, click.exceptions.Abort):
        stderr.print("jisr: aborted")
        return 130
    except KeyboardInterrupt:
        return 130
    return int(result) if isinstance(result, int) else 0


def install_listeners_on_use(args: list[str]) -> None:
    """Commands open the node's database: its session listeners (audit chaining, worker
    wake-up) must be in place first. Help skips the cost."""
    if args and not {"--help", "-h", "--version"} & set(args):
        install_listeners()


def run() -> None:
    sys.exit(main())
