"""The error map: every failure leaves the API as RFC 9457 problem+json with a stable ``code``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from jisr.api.redact import scrub_paths, scrub_value, server_roots
from jisr.errors import JisrError

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("jisr.api")

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    roots = _roots(request)
    body: dict[str, Any] = {
        "type": f"https://jisr.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": scrub_paths(detail, roots),
        "code": code,
        "instance": request.url.path,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update({key: scrub_value(value, roots) for key, value in extra.items()})
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _roots(request: Request) -> tuple[str, ...]:
    ctx = getattr(request.app.state, "ctx", None)
    return server_roots(ctx.settings.data_dir if ctx is not None else None)


async def _jisr_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JisrError)  # noqa: S101 - registered for JisrError only
    if exc.http_status >= 500:
        log.error("request failed", code=exc.code, detail=exc.detail, exc_info=exc)
    extra = {**exc.extra, "field": exc.field} if exc.field else exc.extra
    return problem_response(request, exc.http_status, exc.code, exc.title, exc.detail, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}" if first["loc"] else str(first["msg"])
    return problem_response(
        request, 422, "validation_failed", "Invalid input", detail, errors=errors
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # RFC 9110 §15.5.6: a 405 names the methods the resource supports, from every route
        # on the path (Starlette names only the first route's).
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(
        request, exc.status_code, code, str(exc.detail), str(exc.detail), headers=headers
    )


def _allowed_methods(request: Request) -> list[str]:
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    # The SQLSTATE says which failure it was (never the message: it may quote record contents).
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    log.error("database unavailable", error=type(exc).__name__, sqlstate=sqlstate)
    return problem_response(
        request, 503, "database_unavailable", "Service unavailable", "the database is unreachable"
    )


async def _bad_value(request: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot store (a NUL byte, an out-of-range number) is the client's
    input, not a server fault: 422, never 500."""
    assert isinstance(exc, StatementError)  # noqa: S101
    if isinstance(exc, DataError) or isinstance(exc.orig, ValueError):
        return problem_response(
            request,
            422,
            "value_unstorable",
            "Invalid input",
            "a value contains characters or a size the database cannot store",
        )
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return problem_response(
        request, 500, "internal_error", "Internal error", "an unexpected error occurred"
    )


Handler = Callable[[Request, Exception], Awaitable[Response]]
# A route that renders its own failures (the console's HTML pages) puts a callable under this
# name in ``request.state``; the handlers here call it instead of answering with JSON. They run
# after the request's unit of work has rolled back, so a failed page never commits.
ERROR_RENDERER = "error_renderer"


def _renderer_aware(handler: Handler) -> Handler:
    async def dispatch(request: Request, exc: Exception) -> Response:
        renderer = getattr(request.state, ERROR_RENDERER, None)
        if renderer is not None:
            response: Response = renderer(request, exc)
            return response
        return await handler(request, exc)

    return dispatch


def install_error_handlers(app: FastAPI) -> None:
    handlers: list[tuple[type[Exception], Handler]] = [
        (JisrError, _jisr_error),
        (RequestValidationError, _validation_error),
        (StarletteHTTPException, _http_error),
        (OperationalError, _database_down),
        (StatementError, _bad_value),
        (Exception, _unexpected),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, _renderer_aware(handler))
