"""Accounts of this node (administrators): list, create, disable, reset the authenticator."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jisr.api.deps import SessionDep
from jisr.clock import utcnow
from jisr.errors import ConflictError
from jisr.identity import service
from jisr.identity.errors import UserExistsError
from jisr.identity.models import Role, User
from jisr.identity.schemas import PASSWORD_MIN_LENGTH, UserCreate
from jisr.web.errors import console_router, redirect
from jisr.web.forms import CsrfForm, filled_in, form_values, validate
from jisr.web.i18n import N_
from jisr.web.registry import NavItem
from jisr.web.templating import render, set_flash, translate
from jisr.web.viewer import Viewer, record_view, viewer_with

router = console_router()
NAV = (NavItem(N_("Users"), "/users", roles=frozenset({Role.ADMIN})),)
AdminViewer = Annotated[Viewer, Depends(viewer_with(Role.ADMIN))]

ROLE_LABELS = {
    Role.ADMIN.value: N_("Administrator"),
    Role.LIAISON.value: N_("Liaison officer"),
    Role.ANALYST.value: N_("Analyst"),
    Role.BORDER_OFFICER.value: N_("Border officer"),
    Role.CERT_ANALYST.value: N_("CERT analyst"),
    Role.COORDINATOR.value: N_("Event coordinator"),
    Role.TRAINER.value: N_("Training coordinator"),
    Role.AUDITOR.value: N_("Auditor"),
    Role.DPO.value: N_("Data-protection officer"),
}
USERNAME_TAKEN = N_("This username is taken.")


async def submitted(request: Request) -> dict[str, Any]:
    """The posted form's text fields (read here so that handlers can stay synchronous)."""
    return form_values(await request.form())


FormDep = Annotated[dict[str, Any], Depends(submitted)]


def _roles_of(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _list_page(request: Request, session: Session, viewer: Viewer) -> Response:
    users = service.list_users(session, viewer.actor)
    record_view(session, viewer, "user_list", returned=len(users))
    return render(
        request,
        "users/index.html",
        {"users": users, "now": utcnow(), "role_labels": ROLE_LABELS},
    )


def _form_page(
    request: Request,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    values = values or {}
    options = [(role, translate(request, label)) for role, label in ROLE_LABELS.items()]
    return render(
        request,
        "users/new.html",
        {
            "values": values,
            "roles": _roles_of(values.get("roles")),
            "role_options": options,
            "errors": errors or {},
            "password_min": PASSWORD_MIN_LENGTH,
        },
        status_code=status_code,
    )


@router.get("/users")
def users_page(request: Request, session: SessionDep, viewer: AdminViewer) -> Response:
    return _list_page(request, session, viewer)


@router.get("/users/new")
def new_user_page(request: Request, viewer: AdminViewer) -> Response:
    return _form_page(request)


@router.post("/users/new")
def create_user(request: Request, session: SessionDep, viewer: CsrfForm, form: FormDep) -> Response:
    admin = viewer_with(Role.ADMIN)(viewer)
    typed = {k: v for k, v in form.items() if k in {"username", "display_name", "roles"}}
    data = filled_in(form)
    data["roles"] = _roles_of(data.get("roles"))
    data.pop("agency_code", None)
    user, errors = validate(UserCreate, data)
    if user is None:
        return _form_page(request, typed, errors, status_code=422)
    try:
        created = service.create_user(
            session,
            admin.actor,
            username=user.username,
            display_name=user.display_name,
            agency_code=None,
            roles=user.roles,
            password=user.password,
        )
    except UserExistsError:
        session.rollback()
        return _form_page(request, typed, {"username": USERNAME_TAKEN}, status_code=409)
    response = redirect(request, f"/users#user-{created.username}")
    set_flash(
        response,
        request,
        N_("The account is created. It enrols an authenticator at first sign-in."),
    )
    return response


def _act(request: Request, session: Session, viewer: Viewer, key: str, disable: bool) -> Response:
    admin = viewer_with(Role.ADMIN)(viewer)
    user: User = service.get_user(session, key)
    try:
        if disable:
            service.disable_user(session, admin.actor, user.id)
        else:
            service.reset_mfa(session, admin.actor, user.id)
    except ConflictError:
        session.rollback()
        response = redirect(request, "/users")
        set_flash(response, request, N_("You cannot disable your own account."))
        return response
    response = redirect(request, f"/users#user-{user.username}")
    set_flash(
        response,
        request,
        N_("The account is disabled and its sessions ended.")
        if disable
        else N_("The authenticator is reset: a new one is enrolled at the next sign-in."),
    )
    return response


@router.post("/users/{key}/disable")
def disable_user(key: str, request: Request, session: SessionDep, viewer: CsrfForm) -> Response:
    return _act(request, session, viewer, key, disable=True)


@router.post("/users/{key}/reset-mfa")
def reset_mfa(key: str, request: Request, session: SessionDep, viewer: CsrfForm) -> Response:
    return _act(request, session, viewer, key, disable=False)
