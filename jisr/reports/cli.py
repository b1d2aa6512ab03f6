"""``jisr report``: a partnership's assessment (figures or a signed PDF), every partner side by
side, the transparency report, and offline verification of a signed report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from jisr.reports.documents import SignedDocument

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
)
from jisr.errors import ValidationError

report_app = typer.Typer(
    help="Periodic assessment of partnerships, transparency report, signed PDFs.",
    no_args_is_help=True,
)
PeriodOption = Annotated[
    str, typer.Option("--period", help="2026 (year), 2026-Q4 (quarter), 2026-11 (month), 90d.")
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of the PDF: ar, fr or en.")]
OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write the signed PDF here ('-': stdout).")
]
SignatureOutOption = Annotated[
    Path | None,
    typer.Option("--signature", help="Also write the detached signature (JSON) to this file."),
]


def _write(path: Path, content: bytes) -> None:
    if str(path) == "-":
        typer.get_binary_stream("stdout").write(content)
    else:
        path.write_bytes(content)


def _save(document: SignedDocument, output: Path, signature: Path | None) -> None:
    _write(output, document.content)
    if signature is not None:
        signature.write_text(json.dumps(document.statement, indent=2) + "\n", encoding="utf-8")
    if str(output) != "-":
        key = document.statement["key_fingerprint"]
        typer.echo(
            f"wrote {output} ({len(document.content)} bytes, signed with key {key})", err=True
        )


@report_app.command("partner")
def partner(
    agency: Annotated[str, typer.Argument(help="The partner agency's code (FR-DGSI).")],
    period: PeriodOption = "90d",
    lang: LangOption = "en",
    output: OutputOption = None,
    signature: SignatureOutOption = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """One partnership over one period: the figures, or with -o a signed PDF."""
    from jisr.reports import documents, schemas, service
    from jisr.training.signing import node_signer

    with open_node(data_dir) as node, node.session() as session:
        if output is not None:
            signer = node_signer(node.settings, node.agency_code)
            document = documents.partner_document(
                session, node.system, agency, period, lang, signer
            )
            _save(document, output, signature)
            return
        report = service.partner_report(session, node.system, agency, period=period, trend=4)
        data = schemas.partner_read(report).model_dump(mode="json")
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rows = [
        {
            "figure": "messages",
            "ours": data["messages"]["ours"],
            "theirs": data["messages"]["theirs"],
        },
        {
            "figure": "requests",
            "ours": data["requests"]["ours"],
            "theirs": data["requests"]["theirs"],
        },
        {
            "figure": "answered in time",
            "ours": data["deadlines"]["ours"]["on_time"],
            "theirs": data["deadlines"]["theirs"]["on_time"],
        },
        {
            "figure": "median hours",
            "ours": data["response"]["ours_hours"],
            "theirs": data["response"]["theirs_hours"],
        },
        {
            "figure": "alerts",
            "ours": data["alerts"]["published"],
            "theirs": data["alerts"]["received"],
        },
        {"figure": "hits", "ours": data["hits"]["ours"], "theirs": data["hits"]["theirs"]},
        {
            "figure": "confirmed",
            "ours": data["confirmed"]["ours"],
            "theirs": data["confirmed"]["theirs"],
        },
        {
            "figure": "seats offered",
            "ours": data["training"]["seats"]["ours"],
            "theirs": data["training"]["seats"]["theirs"],
        },
    ]
    render(rows, ("figure", "ours", "theirs"), fmt, f"{agency} · {data['period']['label']}")


@report_app.command("overview")
def overview(
    period: PeriodOption = "90d",
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Every partnership's headline figures over the period, beside the period before."""
    from jisr.reports import schemas, service

    with open_node(data_dir) as node, node.session() as session:
        result = schemas.OverviewRead.model_validate(
            service.overview(session, node.system, period=period)
        )
    if fmt is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
        return
    rows = [
        {
            "partner": row.partner,
            "sent": row.current.sent,
            "received": row.current.received,
            "in_time": row.current.on_time_theirs,
            "alerts": row.current.alerts_published + row.current.alerts_received,
            "hits": row.current.hits,
            "sent_before": row.previous.sent,
        }
        for row in result.rows
    ]
    columns = ("partner", "sent", "received", "in_time", "alerts", "hits", "sent_before")
    render(rows, columns, fmt, f"Partnerships · {result.period.label}")


@report_app.command("transparency")
def transparency(
    period: PeriodOption,
    lang: LangOption = "en",
    output: OutputOption = None,
    signature: SignatureOutOption = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Refusals by ground and data-subject requests against their clocks, from the audit
    trail (JSON with each figure's audit filter and entries, or with -o a signed PDF)."""
    from jisr.reports import documents, schemas
    from jisr.reports.periods import parse_period
    from jisr.reports.transparency import transparency_report
    from jisr.training.signing import node_signer

    with open_node(data_dir) as node, node.session() as session:
        if output is not None:
            signer = node_signer(node.settings, node.agency_code)
            document = documents.transparency_document(session, node.system, period, lang, signer)
            _save(document, output, signature)
            return
        report = transparency_report(session, node.system, parse_period(period))
        typer.echo(schemas.transparency_read(report).model_dump_json(indent=2))


@report_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="The signed PDF.")],
    signature: Annotated[
        Path | None, typer.Option("--signature", help="A detached signature (.sig) for FILE.")
    ] = None,
    key: Annotated[
        str | None, typer.Option("--key", help="The node's public signing key (base64).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Check against this node's own keys.")
    ] = None,
) -> None:
    """Check a signed report offline against the node's public key. Exit 0 when it holds."""
    from jisr.federation.keys import load_signing_public
    from jisr.reports import signing

    if key is not None:
        trusted = signing.single_key(load_signing_public(key))
    elif data_dir is not None:
        from jisr.settings import load_settings
        from jisr.training.signing import node_signer

        settings = load_settings(data_dir)
        with open_node(data_dir) as node:
            own = node_signer(settings, node.agency_code)
        trusted = signing.own_keys(own.agency_code, own.own_keys)
    else:
        raise ValidationError(
            "give the node's public key (--key) or its data directory (--data-dir)", code="usage"
        )
    try:
        content = file.read_bytes()
        detached = signing.parse_statement(signature.read_bytes()) if signature else None
    except OSError as exc:
        raise ValidationError(
            f"cannot read {exc.filename}: {exc.strerror}", code="file_unreadable"
        ) from None
    result = signing.verify_document(content, trusted, detached)
    about = ", ".join(f"{k}={v}" for k, v in sorted(result.report.items()))
    typer.echo(
        f"valid: signed by {result.agency} with key {result.key_fingerprint} on "
        f"{result.signed_at} ({about}; sha256 {result.sha256})"
    )
