"""Failures on console pages become pages, not JSON, in the viewer's language.

``console_router()`` builds routers whose routes catch errors: no session (or an idle one)
redirects to sign-in and back to the page; a password-only session goes to enrolment; every
other ``JisrError`` and unexpected failure is the error page with its status. HTMX requests get
the redirect as ``HX-Redirect`` so the whole page moves, not a fragment.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from jisr.api.problems import ERROR_RENDERER
from jisr.errors import JisrError
from jisr.identity import auth
from jisr.web.forms import error_message
from jisr.web.i18n import N_
from jisr.web.templating import render
from jisr.web.viewer import EnrolmentRequiredError, SignInRequiredError

log = structlog.get_logger("jisr.web")

# Titles by status, as msgids (translated in the template).
STATUS_TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You are not allowed to do this"),
    404: N_("Not found"),
    409: N_("This conflicts with the current state"),
    413: N_("The file is too large"),
    422: N_("Some of what was entered is not valid"),
    503: N_("A service this page needs is unavailable"),
    500: N_("Something went wrong on our side"),
}


# What an error page says for a code, in the reader's language. Any other code shows its
# status's explanation; the domain's English detail follows, marked as English. A malformed
# request never shows pydantic's English: it is keyed by the error type (``forms``).
CODE_MESSAGES = {
    "csrf_failed": N_("The form has expired: reload the page and try again."),
    "permission_denied": N_("Your roles or the agreements in force do not allow this."),
    "not_found": N_("There is nothing at this address, or it is not shared with your agency."),
    "database_unavailable": N_("The node's database cannot be reached: try again in a moment."),
    "internal_error": N_("An unexpected error occurred on the node."),
}
STATUS_MESSAGES = {
    400: N_("The node could not read what was sent."),
    403: CODE_MESSAGES["permission_denied"],
    404: CODE_MESSAGES["not_found"],
    409: N_("This was changed in the meantime, or is no longer in a state that allows it."),
    413: N_("What was sent is larger than the node accepts."),
    422: N_("Some of what was entered is not valid."),
    503: N_("A service this page needs is unavailable: try again in a moment."),
    500: CODE_MESSAGES["internal_error"],
}
# Codes whose detail says nothing more than the sentence.
_DETAIL_HIDDEN = frozenset({"internal_error", "database_unavailable"})


def redirect(request: Request, url: str) -> Response:
    """A 303 to ``url``, or for HTMX an ``HX-Redirect`` that moves the whole page."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def sign_in_redirect(request: Request) -> Response:
    back = request.url.path if request.method == "GET" else _referer_path(request)
    query = request.url.query
    if request.method == "GET" and query:
        back += f"?{query}"
    response = redirect(request, "/sign-in?" + urlencode({"next": back}))
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


def _referer_path(request: Request) -> str:
    referer = request.headers.get("referer", "")
    host = request.headers.get("host", "")
    for scheme in ("http://", "https://"):
        prefix = f"{scheme}{host}"
        if host and referer.startswith(prefix + "/"):
            return referer[len(prefix) :]
    return "/"


def error_page(
    request: Request,
    status: int,
    detail: str,
    code: str,
    *,
    field: str | None = None,
    message: str | None = None,
) -> Response:
    """The error page: a title and a sentence in the reader's language (by code, else by
    status), the field at fault, and the English detail of the domain where it is meant for
    people (never a library's validation text)."""
    sentence = message or CODE_MESSAGES.get(code) or STATUS_MESSAGES.get(status)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": STATUS_TITLES.get(status, STATUS_TITLES[500]),
            "message": sentence or STATUS_MESSAGES[500],
            "detail": "" if code in _DETAIL_HIDDEN else detail,
            "field": field,
            "code": code,
            "request_id": getattr(request.state, "request_id", ""),
        },
        status_code=status,
    )


def page_for(request: Request, exc: Exception) -> Response:
    """The response a console page gives for ``exc``."""
    if isinstance(exc, SignInRequiredError):
        return sign_in_redirect(request)
    if isinstance(exc, EnrolmentRequiredError):
        return redirect(request, "/enrol")
    if isinstance(exc, JisrError):
        if exc.http_status >= 500:
            log.error("console page failed", code=exc.code, exc_info=exc)
        return error_page(request, exc.http_status, exc.detail, exc.code, field=exc.field)
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        # ("path", "hit_id"): where in the request; the message is keyed by the error type.
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_page(
            request,
            422,
            "",
            "validation_failed",
            field=where,
            message=error_message(first.get("type")),
        )
    if isinstance(exc, StarletteHTTPException):
        return error_page(request, exc.status_code, str(exc.detail), "http_error")
    if isinstance(exc, OperationalError):
        log.error("database unavailable", error=type(exc).__name__)
        return error_page(request, 503, "the database is unreachable", "database_unavailable")
    log.error("console page failed", exc_info=exc)
    return error_page(request, 500, "an unexpected error occurred", "internal_error")


class ConsoleRoute(APIRoute):
    """A route whose failures render as console pages.

    The failure still propagates (so the request's unit of work rolls back); the app's error
    handlers find ``page_for`` in ``request.state`` and answer with it instead of JSON.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            setattr(request.state, ERROR_RENDERER, page_for)
            return await handler(request)

        return console_handler


def console_router() -> APIRouter:
    """The router every console page area uses (kept out of the OpenAPI document)."""
    return APIRouter(route_class=ConsoleRoute, include_in_schema=False)
