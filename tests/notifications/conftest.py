"""Fixtures for notification tests: real users of the local agency (notifications are addressed
to users), and reading what each was told."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, Role, system_actor
from jisr.agreements.models import CrimeArea, DataCategory
from jisr.db import DATA_DIR_KEY
from jisr.exchange.storage import BlobStore
from jisr.identity.accounts import create_user
from jisr.identity.auth import actor_for
from jisr.identity.models import User
from jisr.notifications.derive import derive
from jisr.notifications.models import Notification
from tests.exchange import conftest as exchange_conftest
from tests.exchange.conftest import LOCAL
from tests.notices import conftest as notices_conftest

# username -> roles: the desk, a border officer, oversight, a second reviewer.
OFFICERS: dict[str, list[str]] = {
    "amal": [Role.LIAISON],
    "claire": [Role.LIAISON],
    "karim": [Role.ANALYST],
    "salma": [Role.BORDER_OFFICER],
    "samir": [Role.BORDER_OFFICER],
    "hind": [Role.AUDITOR],
    "leila": [Role.DPO],
    "admin2": [Role.ADMIN],
}


def add_officers(session: Session, **extra: list[str]) -> dict[str, Actor]:
    """The officers as users of this node (with a disabled liaison officer, never told)."""
    actors = {}
    for username, roles in {**OFFICERS, **extra, "olga": [Role.LIAISON]}.items():
        user = create_user(
            session,
            system_actor(LOCAL),
            username=username,
            display_name=username.capitalize(),
            agency_code=LOCAL,
            roles=roles,
            password="a long enough password 2026",
        )
        actors[username] = actor_for(user)
    olga = session.execute(select(User).where(User.username == "olga")).scalar_one()
    olga.disabled = True
    session.flush()
    return actors


def told(session: Session, kind: str | None = None) -> dict[str, list[Notification]]:
    """username -> their notifications (of ``kind``), after a notification pass."""
    more = True
    while more:
        _written, more = derive(session, LOCAL)
    stmt = select(User.username, Notification).join(User, User.id == Notification.user_id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    found: dict[str, list[Notification]] = {}
    for username, row in session.execute(stmt.order_by(Notification.id)).all():
        found.setdefault(username, []).append(row)
    return found


def start(session: Session) -> None:
    """The node's first pass: what happened before it notifies nobody."""
    derive(session, LOCAL)


@pytest.fixture()
def desk(session: Session, tmp_path: Path) -> exchange_conftest.World:
    """The exchange tests' world: a local agency, a pinned partner, an agreement."""
    session.info[DATA_DIR_KEY] = tmp_path
    exchange_conftest.add_local_agency(session)
    exchange_conftest.pin_partner(session, LOCAL, exchange_conftest.PARTNER)
    agreement = exchange_conftest.add_agreement(session, LOCAL, exchange_conftest.PARTNER)
    officer = exchange_conftest.officer
    return exchange_conftest.World(
        session, agreement, BlobStore.for_data_dir(tmp_path),
        officer("liaison"), officer("analyst"), officer("auditor"),
    )  # fmt: skip


@pytest.fixture()
def alerts(session: Session) -> notices_conftest.World:
    """The notices tests' world: the agreement with the partner covers personal data."""
    exchange_conftest.add_local_agency(session)
    exchange_conftest.pin_partner(session, LOCAL, exchange_conftest.PARTNER)
    agreement = exchange_conftest.add_agreement(
        session,
        LOCAL,
        exchange_conftest.PARTNER,
        crime_areas=[CrimeArea.MIGRANT_SMUGGLING, CrimeArea.TERRORISM],
        categories=[DataCategory.PERSONAL, DataCategory.OPERATIONAL],
    )
    author = exchange_conftest.officer("liaison")
    return notices_conftest.World(session, agreement, author, author, author)
