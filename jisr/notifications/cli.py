"""``jisr notifications list|read|derive``: an officer's notifications from the node's machine."""

from __future__ import annotations

from typing import Annotated

import typer

from jisr.cli.common import (
    DEFAULT_DATA_DIR,
    DataDirOption,
    FormatOption,
    OutputFormat,
    open_node,
    render,
)
from jisr.errors import ValidationError

notifications_app = typer.Typer(
    help="An officer's notifications: list them, mark them read.", no_args_is_help=True
)
COLUMNS = ("id", "created_at", "read", "kind", "title", "href")
AsOption = Annotated[str, typer.Option("--as", help="The officer (username) whose they are.")]


@notifications_app.command("list")
def list_(
    as_user: AsOption,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    unread: Annotated[bool, typer.Option("--unread", help="Only the unread ones.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Newest first, after deriving what the audit trail holds since the last pass."""
    from jisr.identity.accounts import get_user
    from jisr.identity.auth import actor_for
    from jisr.notifications import derive, service
    from jisr.notifications.schemas import NotificationRead

    with open_node(data_dir) as node:
        derive.derive_pass(node.factory, node.agency_code)
        with node.session() as session:
            actor = actor_for(get_user(session, as_user))
            page = service.list_notifications(session, actor, unread_only=unread, limit=limit)
            rows = [
                {**NotificationRead.of(r).model_dump(mode="json"), "read": r.read_at is not None}
                for r in page.items
            ]
        render(rows, COLUMNS, fmt, title=f"{page.unread} unread")


@notifications_app.command("read")
def read(
    as_user: AsOption,
    ids: Annotated[list[int] | None, typer.Argument(help="Notification ids.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every unread notification.")] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
) -> None:
    """Mark notifications read (by id, or --all)."""
    from jisr.identity.accounts import get_user
    from jisr.identity.auth import actor_for
    from jisr.notifications import service

    if not ids and not all_:
        raise ValidationError("give notification ids or --all", code="option_missing")
    with open_node(data_dir) as node, node.session() as session:
        actor = actor_for(get_user(session, as_user))
        if all_:
            marked = service.mark_all_read(session, actor)
        else:
            for notification_id in ids or []:
                service.mark_read(session, actor, notification_id)
            marked = len(ids or [])
        typer.echo(f"{marked} marked read; {service.unread_count(session, actor)} unread")


@notifications_app.command("derive")
def derive_(data_dir: DataDirOption = DEFAULT_DATA_DIR) -> None:
    """Turn what the audit trail recorded since the last pass into notifications (for nodes
    that run passes from cron), and scan request deadlines and partner reachability."""
    from jisr.notifications import worker

    with open_node(data_dir) as node:
        written = worker.run_all(node.factory, node.agency_code, node.settings)
    typer.echo(f"{written} notifications written")
