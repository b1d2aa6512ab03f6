"""Sign in (password + TOTP), first-time authenticator enrolment, sign out, language choice."""

from __future__ import annotations

import base64
import hmac
from typing import Annotated

import qrcode
import qrcode.image.svg
from fastapi import Depends, Form, Request
from fastapi.responses import Response

from jisr.api.deps import ContextDep, SessionDep, SettingsDep
from jisr.errors import AuthenticationError
from jisr.identity import service
from jisr.identity.auth import SESSION_COOKIE
from jisr.identity.errors import CsrfError, MfaInvalidError
from jisr.identity.security import set_session_cookie
from jisr.web import i18n
from jisr.web.errors import console_router, redirect
from jisr.web.forms import ANONYMOUS_CSRF_COOKIE, CsrfForm, check_anonymous_csrf
from jisr.web.i18n import N_
from jisr.web.registry import NavItem
from jisr.web.templating import render, safe_next, set_flash
from jisr.web.viewer import (
    EnrollingViewerDep,
    EnrolmentRequiredError,
    SignInRequiredError,
    current_viewer,
)

router = console_router()
NAV: tuple[NavItem, ...] = ()

# Sign-in refusals by error code, as msgids.
SIGN_IN_ERRORS = {
    "invalid_credentials": N_("Wrong username or password."),
    "mfa_required": N_("Enter the 6-digit code from your authenticator."),
    "mfa_invalid": N_("The code is wrong, expired or already used."),
    "account_locked": N_("Too many failed sign-ins: this account is locked for a while."),
}


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - URL parameter
    return render(request, "auth/sign_in.html", {"next": safe_next(next), "errors": {}})


@router.post("/sign-in", dependencies=[Depends(check_anonymous_csrf)])
def sign_in(
    request: Request,
    ctx: ContextDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    totp_code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002 - form field
) -> Response:
    target = safe_next(next)
    try:
        result = service.login(
            ctx.session_factory,
            ctx.settings,
            username,
            password,
            totp_code.strip() or None,
        )
    except AuthenticationError as exc:
        message = SIGN_IN_ERRORS.get(exc.code, SIGN_IN_ERRORS["invalid_credentials"])
        return render(
            request,
            "auth/sign_in.html",
            {"next": target, "username": username, "errors": {"form": message}},
            status_code=401,
        )
    response = redirect(request, "/enrol" if result.enrolment_only else target)
    set_session_cookie(response, ctx.settings, result.cookie)
    return response


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@router.get("/enrol")
def enrol_page(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: EnrollingViewerDep
) -> Response:
    """First sign-in: a new authenticator seed as a QR code (and as text for manual entry)."""
    if viewer.user.mfa_enabled:
        return redirect(request, "/")
    secret, uri = service.begin_totp_enrolment(session, settings, viewer.user)
    return render(
        request,
        "auth/enrol.html",
        {"secret": secret, "qr": _qr_data_uri(uri), "errors": {}},
        headers={"referrer-policy": "no-referrer"},
    )


async def _enrolment_csrf(request: Request, viewer: EnrollingViewerDep) -> None:
    form = await request.form()
    presented = form.get("csrf_token")
    if not isinstance(presented, str) or not hmac.compare_digest(
        presented.encode(), viewer.csrf_token.encode()
    ):
        raise CsrfError("the form has expired; reload the page and try again")


@router.post("/enrol", dependencies=[Depends(_enrolment_csrf)])
def enrol(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: EnrollingViewerDep,
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    try:
        service.confirm_totp_enrolment(session, settings, viewer.user, code.strip())
    except MfaInvalidError:
        secret, uri = service.begin_totp_enrolment(session, settings, viewer.user)
        return render(
            request,
            "auth/enrol.html",
            {
                "secret": secret,
                "qr": _qr_data_uri(uri),
                "errors": {
                    "code": N_("The code does not match. Scan the new QR code and try again.")
                },
            },
            status_code=422,
        )
    if viewer.login.enrolment_only:
        response = redirect(request, "/sign-in")
        response.delete_cookie(SESSION_COOKIE, path="/")
        set_flash(response, request, N_("Your authenticator is enrolled. Sign in with a new code."))
        return response
    response = redirect(request, "/")
    set_flash(response, request, N_("Your authenticator is enrolled."))
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, viewer: CsrfForm) -> Response:
    service.end_login(session, viewer.login)
    response = redirect(request, "/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
def choose_language(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002 - form field
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Switch language; remembered on the account when signed in, in a cookie otherwise."""
    code = i18n.supported(lang) or i18n.DEFAULT_LANGUAGE
    viewer = None
    if request.cookies.get(SESSION_COOKIE):
        try:
            viewer = current_viewer(request, session, settings)
        except (SignInRequiredError, EnrolmentRequiredError):
            viewer = None
    expected = viewer.csrf_token if viewer else request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
        raise CsrfError("the form has expired; reload the page and try again")
    if viewer is not None:
        service.set_language(session, viewer.user, code)
    response = redirect(request, safe_next(next))
    response.set_cookie(
        i18n.LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="strict", path="/"
    )
    return response
