"""Agencies and users: the node's bootstrap, and what administrators do to accounts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import pydantic
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor, system_actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ConfigError, ConflictError, NotFoundError, ValidationError
from jisr.identity.access import record_privilege_use, require_admin
from jisr.identity.errors import AgencyExistsError, UserExistsError
from jisr.identity.models import Agency, LoginSession, Role, User
from jisr.identity.passwords import hash_password
from jisr.identity.schemas import AgencyCreate, UserCreate
from jisr.ids import new_id

# Languages of the console a user may pick (see ``jisr.web.i18n``).
USER_LANGUAGES = frozenset({"ar", "fr", "en"})
_Model = TypeVar("_Model", bound=pydantic.BaseModel)


def validated(model: type[_Model], **data: Any) -> _Model:
    """``model(**data)``, with pydantic's complaint turned into our ValidationError."""
    try:
        return model(**data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationError(f"{where}: {first['msg']}", code="validation_failed") from None


def local_agency_code(session: Session) -> str:
    """The code of the agency this node belongs to; fails clearly on an uninitialised node."""
    code = session.execute(select(Agency.code).where(Agency.is_local.is_(True))).scalar()
    if code is None:
        raise ConfigError("this node has no local agency; run `jisr init`", code="node_missing")
    return code


def create_agency(session: Session, actor: Actor, data: AgencyCreate) -> Agency:
    """Register a partner agency (its keys are pinned later, by federation)."""
    require_admin(session, actor, ResourceKind.AGENCY)
    return _add_agency(session, actor, data, is_local=False)


def _add_agency(session: Session, actor: Actor, data: AgencyCreate, *, is_local: bool) -> Agency:
    if session.get(Agency, data.code) is not None:
        raise AgencyExistsError(f"agency {data.code} is already registered")
    agency = Agency(
        code=data.code,
        name_en=data.name_en,
        name_fr=data.name_fr,
        name_ar=data.name_ar,
        country=data.country,
        is_local=is_local,
        endpoint_url=data.endpoint_url,
        transport=data.transport.value,
    )
    session.add(agency)
    session.flush()
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "agency",
        agency.code,
        details={"event": "created", "local": is_local, "country": agency.country},
    )
    return agency


def list_agencies(session: Session, actor: Actor) -> Sequence[Agency]:
    require(session, actor, Action.READ, Resource(ResourceKind.AGENCY, actor.agency_code))
    return session.execute(select(Agency).order_by(Agency.code)).scalars().all()


def bootstrap_node(
    session: Session,
    *,
    agency_code: str,
    name_en: str,
    name_fr: str,
    name_ar: str,
    country: str,
    admin_username: str,
    admin_password: str,
) -> User:
    """Create the local agency and the first administrator (``jisr init``), as the node itself."""
    if session.execute(select(Agency.code).where(Agency.is_local.is_(True))).first():
        raise ConflictError("the database already holds a node", code="node_exists")
    actor = system_actor(agency_code)
    data = validated(
        AgencyCreate,
        code=agency_code,
        name_en=name_en,
        name_fr=name_fr,
        name_ar=name_ar,
        country=country,
    )
    _add_agency(session, actor, data, is_local=True)
    admin = validated(
        UserCreate,
        username=admin_username,
        display_name="Node administrator",
        agency_code=agency_code,
        roles=[Role.ADMIN],
        password=admin_password,
    )
    user = _add_user(session, admin, agency_code)
    record(
        session,
        actor,
        AuditAction.CONFIG_CHANGE,
        "user",
        user.id,
        details={"event": "created", "username": user.username, "roles": user.roles},
    )
    return user


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    agency_code: str | None,
    roles: Sequence[Role | str],
    password: str,
) -> User:
    """Add a user of this node's agency (a partner's officers sign in at their own node)."""
    require_admin(session, actor)
    data = validated(
        UserCreate,
        username=username,
        display_name=display_name,
        agency_code=agency_code,
        roles=list(roles),
        password=password,
    )
    local = local_agency_code(session)
    if (data.agency_code or local) != local:
        raise ValidationError(
            f"users belong to this node's agency ({local}); partners sign in at their own node",
            code="agency_not_local",
        )
    user = _add_user(session, data, local)
    record_privilege_use(
        session, actor, "user", user.id, event="created", username=user.username, roles=user.roles
    )
    return user


def _add_user(session: Session, data: UserCreate, agency_code: str) -> User:
    if session.execute(select(User.id).where(User.username == data.username)).first():
        raise UserExistsError(f"username {data.username} is taken")
    user = User(
        id=new_id(agency_code, "user"),
        username=data.username,
        display_name=data.display_name,
        agency_code=agency_code,
        roles=sorted({r.value for r in data.roles}),
        password_hash=hash_password(data.password),
        mfa_enabled=False,
        failed_logins=0,
        disabled=False,
    )
    session.add(user)
    session.flush()
    return user


def list_users(session: Session, actor: Actor) -> Sequence[User]:
    require_admin(session, actor)
    return session.execute(select(User).order_by(User.username)).scalars().all()


def get_user(session: Session, key: str) -> User:
    """By id or by username."""
    user = (
        session.get(User, key)
        or session.execute(select(User).where(User.username == key)).scalar_one_or_none()
    )
    if user is None:
        raise NotFoundError(f"no user {key}", code="user_not_found")
    return user


def disable_user(session: Session, actor: Actor, key: str) -> User:
    """Disable an account and end its console sessions (its API tokens stop working too)."""
    require_admin(session, actor)
    user = get_user(session, key)
    if user.id == actor.id:
        raise ConflictError("you cannot disable your own account", code="cannot_disable_self")
    user.disabled = True
    end_sessions(session, user.id)
    record_privilege_use(session, actor, "user", user.id, event="disabled")
    return user


def reset_mfa(session: Session, actor: Actor, key: str) -> User:
    """Forget the user's TOTP seed; their next sign-in may only enrol a new authenticator."""
    require_admin(session, actor)
    user = get_user(session, key)
    user.totp_secret = None
    user.mfa_enabled = False
    user.totp_last_step = None
    end_sessions(session, user.id)
    record_privilege_use(session, actor, "user", user.id, event="mfa_reset")
    return user


def end_sessions(session: Session, user_id: str) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def set_language(session: Session, user: User, language: str) -> User:
    """Remember the console language ``user`` picked (``ar``, ``fr`` or ``en``)."""
    if language not in USER_LANGUAGES:
        raise ValidationError(f"unsupported language {language!r}", code="language_unsupported")
    user.language = language
    session.flush()
    return user
