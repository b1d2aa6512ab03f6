"""``jisr agreement``: record, list, suspend and resume agreements from the node's machine."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from jisr.agreements import service
from jisr.agreements.models import AgreementStatus, CrimeArea, DataCategory, HandlingCode
from jisr.agreements.schemas import AgreementCreate
from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
)
from jisr.clock import utcnow
from jisr.errors import ValidationError

app = typer.Typer(help="Agreements with partner agencies.", no_args_is_help=True)
COLUMNS = ("reference", "status", "parties", "crime_areas", "data_categories", "valid_until")


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"not an ISO 8601 date: {value}", code="date_invalid") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"date needs a timezone (e.g. {value}Z)", code="date_invalid")
    return parsed


@app.command("add")
def add(
    reference: Annotated[str, typer.Option(help="Unique reference, e.g. MA-FR/2026/01.")],
    title: Annotated[str, typer.Option(help="Title of the agreement.")],
    party: Annotated[list[str], typer.Option(help="Party agency code (repeat).")],
    crime_area: Annotated[list[CrimeArea], typer.Option(help="Crime area in scope (repeat).")],
    data_category: Annotated[
        list[DataCategory], typer.Option(help="Data category allowed (repeat).")
    ],
    legal_basis: Annotated[str, typer.Option(help="Legal basis (treaty, MoU, law).")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    valid_from: Annotated[str | None, typer.Option(help="ISO 8601 start (default now).")] = None,
    valid_until: Annotated[str | None, typer.Option(help="ISO 8601 end.")] = None,
    handling: Annotated[
        HandlingCode, typer.Option(help="Default handling code.")
    ] = HandlingCode.H0,
    active: Annotated[bool, typer.Option(help="Activate at once.")] = False,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Record an agreement between this node's agency and partners."""
    data = AgreementCreate(
        reference=reference,
        title=title,
        parties=party,
        crime_areas=crime_area,
        data_categories=data_category,
        valid_from=_when(valid_from) or utcnow(),
        valid_until=_when(valid_until),
        default_handling=handling,
        legal_basis=legal_basis,
        status=AgreementStatus.ACTIVE if active else AgreementStatus.DRAFT,
    )
    with open_node(data_dir) as node, node.session() as session:
        agreement = service.create_agreement(session, node.system, data)
        render([service.to_read(agreement).model_dump(mode="json")], COLUMNS, fmt)


@app.command("list")
def list_(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """List agreements with their effective status."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            service.to_read(a).model_dump(mode="json") for a in service.list_agreements(session)
        ]
        render(rows, COLUMNS, fmt, title="Agreements")


def _status_command(target: AgreementStatus, help_text: str) -> None:
    def command(
        agreement: Annotated[str, typer.Argument(help="Agreement reference or id.")],
        reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
        data_dir: DataDirOption = DEFAULT_DATA_DIR,
        fmt: FormatOption = OutputFormat.TABLE,
    ) -> None:
        with open_node(data_dir) as node, node.session() as session:
            changed = service.change_status(session, node.system, agreement, target, reason)
            render([service.to_read(changed).model_dump(mode="json")], COLUMNS, fmt)

    command.__doc__ = help_text
    name = {AgreementStatus.SUSPENDED: "suspend", AgreementStatus.ACTIVE: "resume"}[target]
    app.command(name)(command)


_status_command(AgreementStatus.SUSPENDED, "Suspend an agreement: traffic is held, not dropped.")
_status_command(AgreementStatus.ACTIVE, "Activate a draft or resume a suspended agreement.")
