"""The root ``jisr`` command. Each domain contributes its own Typer app; this file mounts them."""

from __future__ import annotations

import sys
from typing import Annotated

import click
import typer
from typer.exceptions import Abort, Exit, TyperException

from jisr import __version__
from jisr.agreements.cli import app as agreement_app
from jisr.audit.cli import app as audit_app
from jisr.cli.common import DEFAULT_DATA_DIR, DataDirOption, stderr
from jisr.cli.demo import demo
from jisr.cli.node import init_node
from jisr.errors import JisrError
from jisr.exchange.cli import message_app
from jisr.federation.cli import outbox_app, partner_app
from jisr.graph.cli import graph_app
from jisr.identity.cli import agency_app, user_app
from jisr.notices.cli import notice_app
from jisr.rights.cli import rights_app
from jisr.screening.cli import register as register_screen
from jisr.watchlists.cli import watchlist_app

app = typer.Typer(
    name="jisr",
    help="Jisr: secure, lawful cooperation between partner security agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(user_app, name="user")
app.add_typer(agency_app, name="agency")
app.add_typer(agreement_app, name="agreement")
app.add_typer(audit_app, name="audit")
app.add_typer(message_app, name="message")
app.add_typer(partner_app, name="partner")
app.add_typer(outbox_app, name="outbox")
app.add_typer(notice_app, name="notice")
app.add_typer(watchlist_app, name="watchlist")
app.add_typer(rights_app, name="rights")
app.add_typer(graph_app, name="graph")
app.command("demo")(demo)
register_screen(app)


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
) -> None:
    """Serve the API under /api/v1 and the console under /."""
    import uvicorn

    from jisr.api.app import create_app
    from jisr.logs import configure_logging
    from jisr.settings import load_settings

    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = load_settings(data_dir, **overrides)
    configure_logging(settings.log_level, settings.log_json)
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


def run() -> None:
    sys.exit(main())
