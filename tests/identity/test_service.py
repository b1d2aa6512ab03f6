"""Identity services on both backends (SAVEPOINT-isolated session)."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jisr.actors import system_actor
from jisr.audit import AuditEntry
from jisr.clock import utcnow
from jisr.errors import JisrError
from jisr.identity import service
from jisr.identity.auth import actor_from_session, actor_from_token, digest
from jisr.identity.models import ApiToken, LoginSession, Role, User
from jisr.identity.schemas import AgencyCreate
from jisr.identity.totp import decrypt_seed
from jisr.settings import JisrSettings
from tests.identity.conftest import (
    ADMIN_PASSWORD,
    AGENCY,
    USER_PASSWORD,
    Node,
    bootstrap,
    code,
    enrol,
    wrong_code,
)

PARTNER = AgencyCreate(
    code="FR-DGSI",
    name_en="General Directorate for Internal Security",
    name_fr="Direction générale de la sécurité intérieure",
    name_ar="المديرية العامة للأمن الداخلي",
    country="FR",
)


def _audit(session: Session, action: str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    return list(session.execute(stmt).scalars())


def _code_of(excinfo: pytest.ExceptionInfo[JisrError]) -> str:
    return excinfo.value.code


def test_bootstrap_creates_local_agency_and_admin(session: Session, node: Node) -> None:
    assert service.local_agency_code(session) == AGENCY
    assert node.admin.roles == ["admin"] and node.admin.agency_code == AGENCY
    assert node.admin.password_hash.startswith("$argon2id$")
    changes = _audit(session, "config_change")
    assert [(e.actor, e.object_type) for e in changes[:2]] == [
        ("system", "agency"),
        ("system", "user"),
    ]
    with pytest.raises(JisrError) as excinfo:
        bootstrap(session)
    assert _code_of(excinfo) == "node_exists"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"username": "amal.benali"}, "user_exists"),
        ({"agency_code": "FR-DGSI"}, "agency_not_local"),
        ({"password": "short"}, "validation_failed"),
        ({"username": "Bad Name"}, "validation_failed"),
        ({"roles": ["superuser"]}, "validation_failed"),
        ({"roles": []}, "validation_failed"),
    ],
    ids=["duplicate", "foreign-agency", "short-password", "bad-username", "bad-role", "no-role"],
)
def test_create_user_refusals(
    session: Session, node: Node, overrides: dict[str, object], expected: str
) -> None:
    service.create_agency(session, node.admin_actor, PARTNER)
    args: dict[str, object] = {
        "username": "karim.alaoui",
        "display_name": "Karim Alaoui",
        "agency_code": AGENCY,
        "roles": [Role.ANALYST],
        "password": USER_PASSWORD,
    }
    args.update(overrides)
    with pytest.raises(JisrError) as excinfo:
        service.create_user(session, node.admin_actor, **args)  # type: ignore[arg-type]
    assert _code_of(excinfo) == expected


def test_admin_acts_need_the_admin_role_and_are_audited(session: Session, node: Node) -> None:
    with pytest.raises(JisrError) as excinfo:
        service.create_agency(session, node.liaison_actor, PARTNER)
    assert _code_of(excinfo) == "permission_denied"
    with pytest.raises(JisrError):
        service.list_users(session, node.liaison_actor)
    agency = service.create_agency(session, node.admin_actor, PARTNER)
    assert not agency.is_local
    with pytest.raises(JisrError) as excinfo:
        service.create_agency(session, node.admin_actor, PARTNER)
    assert _code_of(excinfo) == "agency_exists"
    assert [a.code for a in service.list_agencies(session, node.liaison_actor)] == [
        "FR-DGSI",
        AGENCY,
    ]
    uses = _audit(session, "privilege_use")
    assert uses[-1].object_id == node.liaison.id and uses[-1].details["event"] == "created"


def test_unknown_user_and_wrong_password_look_the_same(
    session: Session, node: Node, settings: JisrSettings
) -> None:
    errors = []
    for username, password in [("nobody", USER_PASSWORD), ("amal.benali", "wrong password!")]:
        with pytest.raises(JisrError) as excinfo:
            service.login(session, settings, username, password)
        errors.append((excinfo.value.code, excinfo.value.detail, excinfo.value.http_status))
    assert errors[0] == errors[1] == ("invalid_credentials", errors[0][1], 401)
    failed = _audit(session, "login_failed")
    assert [e.details["reason"] for e in failed] == ["unknown_user", "wrong_password"]
    assert [e.actor for e in failed] == ["nobody", "amal.benali"]


def test_lockout_after_max_failures(session: Session, node: Node, settings: JisrSettings) -> None:
    codes = []
    for _ in range(settings.login_max_failures):
        with pytest.raises(JisrError) as excinfo:
            service.login(session, settings, "amal.benali", "not the password")
        codes.append(excinfo.value.code)
    assert codes == ["invalid_credentials"] * (settings.login_max_failures - 1) + ["account_locked"]
    with pytest.raises(JisrError) as excinfo:
        service.login(session, settings, "amal.benali", USER_PASSWORD)
    assert excinfo.value.code == "account_locked"
    failed = _audit(session, "login_failed")
    assert len(failed) == settings.login_max_failures + 1
    assert failed[-2].details["locked"] is True and failed[-1].details["reason"] == "locked"
    # When the lock has run out, the right password works again.
    session.execute(
        update(User)
        .where(User.id == node.liaison.id)
        .values(locked_until=utcnow() - timedelta(seconds=1))
    )
    session.expire_all()
    result = service.login(session, settings, "amal.benali", USER_PASSWORD)
    assert result.user.failed_logins == 0


def test_totp_login_and_replay(session: Session, node: Node, settings: JisrSettings) -> None:
    totp = enrol(session, settings, node.admin)
    assert node.admin.mfa_enabled
    stored = node.admin.totp_secret
    assert stored is not None and totp.secret not in stored
    assert decrypt_seed(settings.secret, stored) == totp.secret
    with pytest.raises(JisrError) as excinfo:
        service.login(session, settings, "admin", ADMIN_PASSWORD)
    assert excinfo.value.code == "mfa_required"
    fresh = code(totp)
    result = service.login(session, settings, "admin", ADMIN_PASSWORD, fresh)
    assert not result.enrolment_only
    assert actor_from_session(session, settings, result.cookie).id == node.admin.id
    login_row = session.get(LoginSession, digest(result.cookie))
    assert login_row is not None and login_row.csrf_token == result.csrf_token
    with pytest.raises(JisrError) as excinfo:
        service.login(session, settings, "admin", ADMIN_PASSWORD, fresh)
    assert excinfo.value.code == "mfa_invalid"
    with pytest.raises(JisrError) as excinfo:
        service.login(session, settings, "admin", ADMIN_PASSWORD, wrong_code(totp))
    assert excinfo.value.code == "mfa_invalid"
    assert node.admin.failed_logins == 2
    reasons = [e.details["reason"] for e in _audit(session, "login_failed")]
    assert reasons == ["mfa_required", "mfa_invalid", "mfa_invalid"]


def test_user_without_mfa_gets_an_enrolment_only_session(
    session: Session, node: Node, settings: JisrSettings, dev_settings: JisrSettings
) -> None:
    result = service.login(session, settings, "amal.benali", USER_PASSWORD)
    assert result.enrolment_only
    with pytest.raises(JisrError) as excinfo:
        actor_from_session(session, settings, result.cookie)
    assert excinfo.value.code == "mfa_enrolment_required"
    enrol(session, settings, node.liaison)
    login_row = session.get(LoginSession, digest(result.cookie))
    assert login_row is not None and login_row.revoked_at is not None
    with pytest.raises(JisrError) as excinfo:
        service.begin_totp_enrolment(session, settings, node.liaison)
    assert excinfo.value.code == "mfa_already_enrolled"
    # In dev mode a user without MFA signs in with the password alone.
    service.reset_mfa(session, node.admin_actor, node.liaison.id)
    dev = service.login(session, dev_settings, "amal.benali", USER_PASSWORD)
    assert not dev.enrolment_only
    assert actor_from_session(session, dev_settings, dev.cookie).id == node.liaison.id


def test_wrong_confirmation_code_is_refused(
    session: Session, node: Node, settings: JisrSettings
) -> None:
    with pytest.raises(JisrError) as excinfo:
        service.confirm_totp_enrolment(session, settings, node.liaison, "123456")
    assert excinfo.value.code == "mfa_enrolment_not_started"
    seed, uri = service.begin_totp_enrolment(session, settings, node.liaison)
    assert uri.startswith("otpauth://totp/") and f"secret={seed}" in uri
    with pytest.raises(JisrError) as excinfo:
        service.confirm_totp_enrolment(
            session, settings, node.liaison, wrong_code(pyotp.TOTP(seed))
        )
    assert excinfo.value.code == "mfa_invalid"
    assert not node.liaison.mfa_enabled


def test_disable_and_reset_mfa_end_sessions(
    session: Session, node: Node, settings: JisrSettings
) -> None:
    totp = enrol(session, settings, node.liaison)
    result = service.login(session, settings, "amal.benali", USER_PASSWORD, code(totp))
    service.reset_mfa(session, node.admin_actor, "amal.benali")
    assert not node.liaison.mfa_enabled and node.liaison.totp_secret is None
    with pytest.raises(JisrError) as excinfo:
        actor_from_session(session, settings, result.cookie)
    assert excinfo.value.code == "session_expired"
    with pytest.raises(JisrError) as excinfo:
        service.disable_user(session, node.admin_actor, node.admin.id)
    assert excinfo.value.code == "cannot_disable_self"
    service.disable_user(session, node.admin_actor, node.liaison.id)
    with pytest.raises(JisrError) as excinfo:
        service.login(session, settings, "amal.benali", USER_PASSWORD)
    assert excinfo.value.code == "invalid_credentials"
    events = [e.details.get("event") for e in _audit(session, "privilege_use")]
    assert events[-2:] == ["mfa_reset", "disabled"]


def test_tokens(session: Session, node: Node, settings: JisrSettings) -> None:
    # An administrator cannot mint a token acting as someone else; the node operator (CLI) can.
    with pytest.raises(JisrError) as excinfo:
        service.issue_token(session, node.admin_actor, node.liaison.id, "as", ["read"], 1)
    assert excinfo.value.code == "token_for_other_user"
    raw, token = service.issue_token(
        session, system_actor(AGENCY), node.liaison.id, "gateway", ["read", "screen"], 30
    )
    assert raw.startswith("jisr_") and token.token_hash == digest(raw)
    assert raw not in str(vars(token))
    actor = actor_from_token(session, settings, raw)
    assert actor.id == node.liaison.id and actor.scopes == frozenset({"read", "screen"})
    # A token cannot mint a token with wider scopes than its own.
    with pytest.raises(JisrError) as excinfo:
        service.issue_token(session, actor, node.liaison.id, "wider", ["create"], 1)
    assert excinfo.value.code == "scope_exceeded"
    # A user may not issue tokens for someone else; listing shows only their own.
    with pytest.raises(JisrError) as excinfo:
        service.issue_token(session, node.liaison_actor, node.admin.id, "steal", ["*"], 1)
    assert excinfo.value.code == "token_for_other_user"
    service.issue_token(session, node.admin_actor, node.admin.id, "mine", ["*"], 1)
    assert [t.name for t in service.list_tokens(session, node.liaison_actor)] == ["gateway"]
    assert len(service.list_tokens(session, node.admin_actor)) == 2
    assert len(service.list_tokens(session, system_actor(AGENCY))) == 2
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.expire_all()
    with pytest.raises(JisrError) as excinfo:
        actor_from_token(session, settings, raw)
    assert excinfo.value.code == "token_expired"
    service.revoke_token(session, node.liaison_actor, token.id)
    with pytest.raises(JisrError) as excinfo:
        actor_from_token(session, settings, raw)
    assert excinfo.value.code == "token_invalid"


@pytest.mark.parametrize(
    ("scopes", "days", "expected"),
    [(["bogus"], 1, "scope_invalid"), ([], 1, "scope_invalid"), (["*"], 0, "token_days_invalid")],
)
def test_token_refusals(
    session: Session, node: Node, scopes: list[str], days: int, expected: str
) -> None:
    with pytest.raises(JisrError) as excinfo:
        service.issue_token(session, node.admin_actor, node.admin.id, "x", scopes, days)
    assert excinfo.value.code == expected
