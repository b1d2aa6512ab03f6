"""Fixtures for cyber tests: a node with a CERT analyst and an API token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.identity.tokens import issue_token


def analyst_token(
    session: Session, username: str = "nadia", roles: list[Role] | None = None
) -> str:
    admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
    user = create_user(
        session,
        actor_for(admin),
        username=username,
        display_name=username,
        agency_code=None,
        roles=roles or [Role.CERT_ANALYST],
        password="a long enough password 2026",
    )
    raw, _ = issue_token(session, actor_for(user), user.id, "taxii", ["*"], 1)
    return raw
