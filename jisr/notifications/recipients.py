"""Who is told: officers of this node chosen by role or case membership, then kept only if
policy lets them read the record the notification is about (never tell what one may not read)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.identity.auth import actor_for
from jisr.identity.models import User

ReadCheck = Callable[[Actor], bool]


def officers(session: Session, agency: str, roles: Iterable[str] = ()) -> list[User]:
    """Enabled users of ``agency`` holding any of ``roles`` (every user when none is given)."""
    wanted = frozenset(roles)
    users = session.execute(
        select(User).where(User.agency_code == agency, User.disabled.is_(False)).order_by(User.id)
    ).scalars()
    return [u for u in users if not wanted or wanted & set(u.roles)]


def members(session: Session, agency: str, keys: frozenset[str]) -> list[User]:
    """The users a case's member keys name: ``user:<id>`` and ``role:<role>``."""
    ids = {key.removeprefix("user:") for key in keys if key.startswith("user:")}
    roles = {key.removeprefix("role:") for key in keys if key.startswith("role:")}
    return [u for u in officers(session, agency) if u.id in ids or roles & set(u.roles)]


def by_username(session: Session, agency: str, username: str | None) -> list[User]:
    if not username:
        return []
    user = session.execute(
        select(User).where(User.username == username, User.agency_code == agency)
    ).scalar_one_or_none()
    return [user] if user is not None and not user.disabled else []


def allowed(
    users: Iterable[User], may_read: ReadCheck, *, besides: str | None = None
) -> list[User]:
    """``users`` whom policy lets read the record, without the one who did the act (``besides``,
    a username): nobody is told of their own act. Each user once, in a stable order."""
    seen: dict[str, User] = {}
    for user in users:
        if user.id in seen or user.username == besides:
            continue
        if may_read(actor_for(user)):
            seen[user.id] = user
    return [seen[key] for key in sorted(seen)]
