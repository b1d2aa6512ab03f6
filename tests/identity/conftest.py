"""Fixtures for identity tests: settings, a bootstrapped node in a session, TOTP helpers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.clock import utcnow
from jisr.identity import service
from jisr.identity.auth import actor_for
from jisr.identity.models import Role, User
from jisr.settings import JisrSettings, load_settings

AGENCY = "MA-DGST"
ADMIN_PASSWORD = "admin password 2026!"
USER_PASSWORD = "liaison password 2026"
SECRET = "s" * 40


def code(totp: pyotp.TOTP, offset: int = 0) -> str:
    """The code of the current time-step plus ``offset`` (the verifier accepts +-1)."""
    return totp.at(utcnow(), counter_offset=offset)


def wrong_code(totp: pyotp.TOTP) -> str:
    """A well-formed code that no step in the verifier's window produces."""
    window = {code(totp, offset) for offset in (-2, -1, 0, 1, 2)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in window
    )


@pytest.fixture()
def settings(tmp_path: Path) -> JisrSettings:
    return load_settings(tmp_path, env="test", secret_key=SECRET)


@pytest.fixture()
def dev_settings(tmp_path: Path) -> JisrSettings:
    return load_settings(tmp_path, env="dev")


@dataclass
class Node:
    admin: User
    admin_actor: Actor
    liaison: User
    liaison_actor: Actor


def bootstrap(session: Session) -> Node:
    admin = service.bootstrap_node(
        session,
        agency_code=AGENCY,
        name_en="General Directorate for Territorial Surveillance",
        name_fr="Direction générale de la surveillance du territoire",
        name_ar="المديرية العامة لمراقبة التراب الوطني",
        country="MA",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
    )
    admin_actor = actor_for(admin)
    liaison = service.create_user(
        session,
        admin_actor,
        username="amal.benali",
        display_name="Amal Benali",
        agency_code=AGENCY,
        roles=[Role.LIAISON],
        password=USER_PASSWORD,
    )
    return Node(admin, admin_actor, liaison, actor_for(liaison))


def enrol(session: Session, settings: JisrSettings, user: User) -> pyotp.TOTP:
    """Enrol TOTP for ``user`` with the previous step's code, so ``code(totp)`` is still fresh."""
    seed, _uri = service.begin_totp_enrolment(session, settings, user)
    totp = pyotp.TOTP(seed)
    service.confirm_totp_enrolment(session, settings, user, code(totp, -1))
    return totp


@pytest.fixture()
def node(session: Session) -> Node:
    return bootstrap(session)
