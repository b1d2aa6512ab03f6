"""``jisr user`` and ``jisr agency``: account administration from the node's own machine.

Commands act as the node itself (the ``system`` actor): each use is audited as such.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

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
from jisr.identity import service
from jisr.identity.accounts import validated
from jisr.identity.models import Role
from jisr.identity.passwords import generate_password
from jisr.identity.schemas import AgencyCreate, AgencyRead, TokenRead, UserRead

user_app = typer.Typer(help="Users of this node: add, list, disable, reset MFA, API tokens.")
agency_app = typer.Typer(help="This node's agency and the partner agencies it knows.")
USER_COLUMNS = ("id", "username", "display_name", "roles", "mfa_enabled", "disabled")
AGENCY_COLUMNS = ("code", "name_en", "name_fr", "name_ar", "country", "is_local")
TOKEN_COLUMNS = ("id", "user_id", "name", "scopes", "expires_at", "revoked_at")


def _user_row(user: object) -> dict[str, Any]:
    return UserRead.model_validate(user).model_dump(mode="json")


@user_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name: lowercase letters, digits, . _ -")],
    display_name: Annotated[str, typer.Option(help="Full name shown in the console.")],
    role: Annotated[list[Role], typer.Option(help="Role (repeat for several).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Add a user of this node's agency; without --password-stdin a password is generated and
    printed once. The user enrols a TOTP authenticator at first sign-in."""
    generated = not password_stdin
    password = generate_password() if generated else sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValidationError("no password on stdin", code="password_missing")
    with open_node(data_dir) as node, node.session() as session:
        user = service.create_user(
            session,
            node.system,
            username=username,
            display_name=display_name,
            agency_code=None,
            roles=role,
            password=password,
        )
        row = _user_row(user)
    if generated:
        row["password"] = password
    render([row], [*USER_COLUMNS, *(["password"] if generated else [])], fmt)


@user_app.command("list")
def list_users(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """List the node's users."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [_user_row(u) for u in service.list_users(session, node.system)]
    render(rows, USER_COLUMNS, fmt, title="Users")


@user_app.command("disable")
def disable_user(
    user: Annotated[str, typer.Argument(help="Username or user id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Disable an account and end its sessions."""
    with open_node(data_dir) as node, node.session() as session:
        row = _user_row(service.disable_user(session, node.system, user))
    render([row], USER_COLUMNS, fmt)


@user_app.command("reset-mfa")
def reset_mfa(
    user: Annotated[str, typer.Argument(help="Username or user id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Forget a user's authenticator (lost phone); they enrol anew at next sign-in."""
    with open_node(data_dir) as node, node.session() as session:
        row = _user_row(service.reset_mfa(session, node.system, user))
    render([row], USER_COLUMNS, fmt)


@user_app.command("token")
def issue_token(
    user: Annotated[str, typer.Argument(help="Username or user id the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'PIU gateway'.")],
    scope: Annotated[list[str], typer.Option(help="Scope: a policy action or * (repeat).")],
    days: Annotated[int | None, typer.Option(help="Lifetime in days (JISR_TOKEN_DAYS).")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Issue an API token; the raw token is printed once and never stored."""
    with open_node(data_dir) as node, node.session() as session:
        raw, token = service.issue_token(
            session,
            node.system,
            user,
            name,
            scope,
            days or node.settings.token_days,
        )
        row = TokenRead.model_validate(token).model_dump(mode="json")
    row["token"] = raw
    render([row], [*TOKEN_COLUMNS, "token"], fmt)


@user_app.command("tokens")
def list_tokens(
    user: Annotated[str | None, typer.Option(help="Only this user's (id).")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """List API tokens (hashes are never shown)."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            TokenRead.model_validate(t).model_dump(mode="json")
            for t in service.list_tokens(session, node.system, user)
        ]
    render(rows, TOKEN_COLUMNS, fmt, title="API tokens")


@user_app.command("revoke-token")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="Token id.")],
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Revoke an API token at once."""
    with open_node(data_dir) as node, node.session() as session:
        token = service.revoke_token(session, node.system, token_id)
        row = TokenRead.model_validate(token).model_dump(mode="json")
    render([row], TOKEN_COLUMNS, fmt)


@agency_app.command("add")
def add_agency(
    code: Annotated[str, typer.Argument(help="Agency code, e.g. FR-DGSI.")],
    name_en: Annotated[str, typer.Option(help="Name in English.")],
    name_fr: Annotated[str, typer.Option(help="Name in French.")],
    name_ar: Annotated[str, typer.Option(help="Name in Arabic.")],
    country: Annotated[str, typer.Option(help="ISO 3166 alpha-2 country code.")],
    endpoint_url: Annotated[str | None, typer.Option(help="The partner node's URL.")] = None,
    data_dir: DataDirOption = DEFAULT_DATA_DIR,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    """Register a partner agency."""
    data = validated(
        AgencyCreate,
        code=code,
        name_en=name_en,
        name_fr=name_fr,
        name_ar=name_ar,
        country=country.upper(),
        endpoint_url=endpoint_url,
    )
    with open_node(data_dir) as node, node.session() as session:
        agency = service.create_agency(session, node.system, data)
        row = AgencyRead.model_validate(agency).model_dump(mode="json")
    render([row], AGENCY_COLUMNS, fmt)


@agency_app.command("list")
def list_agencies(
    data_dir: DataDirOption = DEFAULT_DATA_DIR, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    """List this node's agency and its partners."""
    with open_node(data_dir) as node, node.session() as session:
        rows = [
            AgencyRead.model_validate(a).model_dump(mode="json")
            for a in service.list_agencies(session, node.system)
        ]
    render(rows, AGENCY_COLUMNS, fmt, title="Agencies")
