"""The root of every error Jisr raises on purpose.

Domains raise subclasses; the API turns them into RFC 9457 problem+json and the CLI into one line
on stderr. ``code`` is stable: clients and tests rely on it, so never rename one. ``field`` is
the path of the input the error is about (``subject.birthDate``, ``related[0].name``), when there
is one: the API returns it (problem member ``field``) and the console puts the message beside that
form field, so nobody parses a message to find where it belongs.
"""

from __future__ import annotations

from typing import Any


class JisrError(Exception):
    """An expected failure with a stable machine-readable code."""

    code: str = "internal_error"
    http_status: int = 500
    title: str = "Internal error"

    def __init__(
        self, detail: str, *, code: str | None = None, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.field = field
        self.extra = extra


class ConfigError(JisrError):
    code = "config_invalid"
    http_status = 500
    title = "Configuration error"


class ValidationError(JisrError):
    code = "validation_failed"
    http_status = 422
    title = "Invalid input"


class NotFoundError(JisrError):
    code = "not_found"
    http_status = 404
    title = "Not found"


class ConflictError(JisrError):
    code = "conflict"
    http_status = 409
    title = "Conflict"


class AuthenticationError(JisrError):
    code = "authentication_failed"
    http_status = 401
    title = "Authentication failed"


class PermissionDeniedError(JisrError):
    code = "permission_denied"
    http_status = 403
    title = "Permission denied"


class UnavailableError(JisrError):
    code = "service_unavailable"
    http_status = 503
    title = "Service unavailable"
