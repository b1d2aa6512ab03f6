"""Identity API: sign-in, TOTP enrolment, agencies, users and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from jisr.api.deps import AdminActor, ContextDep, CurrentActor, SessionDep, SettingsDep
from jisr.identity import service
from jisr.identity.schemas import (
    TOKEN_ID_PATTERN,
    USER_ID_PATTERN,
    AgencyCreate,
    AgencyRead,
    LoginRequest,
    LoginResponse,
    Me,
    TokenCreate,
    TokenIssued,
    TokenRead,
    TotpConfirm,
    TotpEnrolment,
    UserCreate,
    UserRead,
)
from jisr.identity.security import (
    ConsolePrincipal,
    CsrfProtected,
    CurrentPrincipal,
    clear_session_cookie,
    set_session_cookie,
)

router = APIRouter(tags=["identity"])

_Errors = dict[int | str, dict[str, str]]
_AUTH: _Errors = {
    401: {"description": "Not signed in, or the credential is expired or revoked"},
    403: {"description": "Not allowed, or the CSRF token is missing"},
    422: {"description": "Invalid input"},
}
_ADMIN: _Errors = {**_AUTH, 404: {"description": "No such record"}}
_CONFLICT: _Errors = {**_ADMIN, 409: {"description": "Conflicting state"}}
_LOGIN: _Errors = {
    401: {"description": "invalid_credentials, mfa_required, mfa_invalid or account_locked"},
    422: {"description": "Invalid input"},
}
UserId = Annotated[str, Path(pattern=USER_ID_PATTERN)]
TokenId = Annotated[str, Path(pattern=TOKEN_ID_PATTERN)]


@router.post("/auth/login", response_model=LoginResponse, responses=_LOGIN)
def login(body: LoginRequest, ctx: ContextDep, response: Response) -> LoginResponse:
    """Sign in with password and TOTP code; sets the session cookie.

    Failures are recorded and count toward the lockout. Outside dev mode, a user without an
    enrolled authenticator gets an enrolment-only session (``mfa_enrolment_required``).
    """
    result = service.login(
        ctx.session_factory, ctx.settings, body.username, body.password, body.totp_code
    )
    set_session_cookie(response, ctx.settings, result.cookie)
    return LoginResponse(
        user=UserRead.model_validate(result.user),
        csrf_token=result.csrf_token,
        expires_at=result.expires_at,
        mfa_enrolment_required=result.enrolment_only,
    )


@router.post("/auth/logout", status_code=204, responses=_AUTH, dependencies=[CsrfProtected])
def logout(
    session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal, response: Response
) -> None:
    """End the console session (an API token is revoked with ``DELETE /tokens/{id}``)."""
    if principal.login is not None:
        service.end_login(session, principal.login)
    clear_session_cookie(response, settings)


@router.get("/auth/me", response_model=Me, responses=_AUTH)
def me(principal: CurrentPrincipal) -> Me:
    """Who you are signed in as, and how."""
    scopes = principal.actor.scopes
    return Me(
        user=UserRead.model_validate(principal.user),
        via="session" if principal.login is not None else "token",
        scopes=sorted(scopes) if scopes is not None else None,
        mfa_enrolment_required=principal.enrolment_only,
    )


@router.post(
    "/auth/totp/enrol",
    response_model=TotpEnrolment,
    responses={**_AUTH, 409: {"description": "An authenticator is already enrolled"}},
    dependencies=[CsrfProtected],
)
def totp_enrol(
    session: SessionDep, settings: SettingsDep, principal: ConsolePrincipal
) -> TotpEnrolment:
    """Start enrolling an authenticator: a new seed, shown once, and its otpauth:// URI."""
    secret, uri = service.begin_totp_enrolment(session, settings, principal.user)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@router.post(
    "/auth/totp/confirm",
    response_model=UserRead,
    responses={**_AUTH, 409: {"description": "Nothing to confirm"}},
    dependencies=[CsrfProtected],
)
def totp_confirm(
    body: TotpConfirm,
    session: SessionDep,
    settings: SettingsDep,
    principal: ConsolePrincipal,
    response: Response,
) -> UserRead:
    """Activate the authenticator with a code it shows. An enrolment-only session ends here:
    sign in again with the next code."""
    user = service.confirm_totp_enrolment(session, settings, principal.user, body.code)
    if principal.enrolment_only:
        clear_session_cookie(response, settings)
    return UserRead.model_validate(user)


@router.get("/agencies", response_model=list[AgencyRead], responses=_AUTH)
def list_agencies(session: SessionDep, actor: CurrentActor) -> list[AgencyRead]:
    """This node's agency and the partner agencies it knows."""
    return [AgencyRead.model_validate(a) for a in service.list_agencies(session, actor)]


@router.post(
    "/agencies",
    response_model=AgencyRead,
    status_code=201,
    responses=_CONFLICT,
    dependencies=[CsrfProtected],
)
def create_agency(body: AgencyCreate, session: SessionDep, actor: AdminActor) -> AgencyRead:
    """Register a partner agency (administrators)."""
    return AgencyRead.model_validate(service.create_agency(session, actor, body))


@router.get("/users", response_model=list[UserRead], responses=_AUTH)
def list_users(session: SessionDep, actor: AdminActor) -> list[UserRead]:
    """Every account of this node (administrators)."""
    return [UserRead.model_validate(u) for u in service.list_users(session, actor)]


@router.post(
    "/users",
    response_model=UserRead,
    status_code=201,
    responses=_CONFLICT,
    dependencies=[CsrfProtected],
)
def create_user(body: UserCreate, session: SessionDep, actor: AdminActor) -> UserRead:
    """Add an account of this node's agency (administrators). It enrols TOTP at first sign-in."""
    user = service.create_user(
        session,
        actor,
        username=body.username,
        display_name=body.display_name,
        agency_code=body.agency_code,
        roles=body.roles,
        password=body.password,
    )
    return UserRead.model_validate(user)


@router.post(
    "/users/{user_id}/disable",
    response_model=UserRead,
    responses=_CONFLICT,
    dependencies=[CsrfProtected],
)
def disable_user(user_id: UserId, session: SessionDep, actor: AdminActor) -> UserRead:
    """Disable an account and end its sessions; its API tokens stop working."""
    return UserRead.model_validate(service.disable_user(session, actor, user_id))


@router.post(
    "/users/{user_id}/reset-mfa",
    response_model=UserRead,
    responses=_ADMIN,
    dependencies=[CsrfProtected],
)
def reset_mfa(user_id: UserId, session: SessionDep, actor: AdminActor) -> UserRead:
    """Forget the user's authenticator; they enrol a new one at their next sign-in."""
    return UserRead.model_validate(service.reset_mfa(session, actor, user_id))


@router.get("/tokens", response_model=list[TokenRead], responses=_AUTH)
def list_tokens(
    session: SessionDep,
    actor: CurrentActor,
    user_id: Annotated[str | None, Query(pattern=USER_ID_PATTERN)] = None,
) -> list[TokenRead]:
    """Your API tokens; administrators see everyone's, or one user's with ``user_id``."""
    return [TokenRead.model_validate(t) for t in service.list_tokens(session, actor, user_id)]


@router.post(
    "/tokens",
    response_model=TokenIssued,
    status_code=201,
    responses=_CONFLICT,
    dependencies=[CsrfProtected],
)
def issue_token(
    body: TokenCreate, session: SessionDep, settings: SettingsDep, actor: CurrentActor
) -> TokenIssued:
    """Issue a scoped, expiring token; the raw value is in this response only."""
    raw, token = service.issue_token(
        session,
        actor,
        body.user_id or actor.id,
        body.name,
        body.scopes,
        body.days or settings.token_days,
    )
    return TokenIssued(token=raw, info=TokenRead.model_validate(token))


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses=_ADMIN,
    dependencies=[CsrfProtected],
)
def revoke_token(token_id: TokenId, session: SessionDep, actor: CurrentActor) -> None:
    """Revoke a token at once (your own; administrators: anyone's)."""
    service.revoke_token(session, actor, token_id)
