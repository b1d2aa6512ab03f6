"""Console forms: CSRF tokens, reading fields, and field errors in the viewer's language.

Every state-changing console route depends on ``CsrfForm``: the form's hidden ``csrf_token``
(or the ``X-CSRF-Token`` header HTMX sends) must equal the session's token. Before sign-in
there is no session, so the sign-in form uses a double-submit cookie instead (``anonymous``).

``validate(model, form)`` turns a pydantic validation failure into ``{field: message}`` with
messages that are msgids (translated when the form is rendered again with what was typed); a
limit the message names (``at most %(max)s characters``) travels with it as a ``FieldMessage``.

Forms that create something carry an idempotency key (``IDEMPOTENCY_FIELD``, a hidden field
set by ``form_key_for`` when the form is rendered, and kept when it is shown again). The key is
derived from the sign-in session and what the form is for (compose; a reply to this message), so
a browser that reloads a form on "back" (the console's pages are ``no-store``) renders the same
key again. A submission is recorded under its key and a digest of what was typed
(``FormOnce``): sent again as it was, it leads to what the first one created, never to a second
record; changed, it is a new submission (``jisr.db.idempotency``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from jisr.db import idempotency
from jisr.errors import JisrError
from jisr.errors import ValidationError as JisrValidationError
from jisr.identity.errors import CsrfError
from jisr.web.i18n import N_
from jisr.web.viewer import Viewer, ViewerDep

CSRF_FIELD = "csrf_token"
IDEMPOTENCY_FIELD = "idempotency_key"
CSRF_HEADER = "x-csrf-token"
ANONYMOUS_CSRF_COOKIE = "jisr_csrf"

_Model = TypeVar("_Model", bound=BaseModel)

# pydantic error types → msgids shown beside the field.
_ERROR_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This is too short."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("This does not have the expected format."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "int_parsing": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "greater_than_equal": N_("This value is too small."),
    "less_than_equal": N_("This value is too large."),
    "too_short": N_("Choose at least one."),
    "too_long": N_("Too many values."),
    "string_type": N_("Enter text."),
    "bool_parsing": N_("Choose yes or no."),
    "greater_than": N_("This value is too small."),
    "less_than": N_("This value is too large."),
    "date_future": N_("Enter a date in the future."),
    "date_past": N_("Enter a date in the past."),
    "url_parsing": N_("Enter a web address (https://…)."),
    "uuid_parsing": N_("This does not have the expected format."),
    "extra_forbidden": N_("This field is not expected here."),
}
GENERIC_ERROR = N_("This value is not valid.")
TOO_LONG = N_("This is too long: at most %(max)s characters.")


class FieldMessage(str):
    """A field's error msgid with the numbers it names (``params``), filled in when shown."""

    params: dict[str, int]

    def __new__(cls, msgid: str, **params: int) -> FieldMessage:
        message = super().__new__(cls, msgid)
        message.params = params
        return message


def _message(kind: str, error: Mapping[str, Any]) -> str:
    limit = (error.get("ctx") or {}).get("max_length")
    if kind == "string_too_long" and isinstance(limit, int):
        return FieldMessage(TOO_LONG, max=limit)
    return error_message(kind)


def error_message(kind: str | None) -> str:
    """The msgid shown for a pydantic error type (never pydantic's own English text)."""
    return _ERROR_MESSAGES.get(kind or "", GENERIC_ERROR)


async def _presented_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def check_csrf(request: Request, viewer: ViewerDep) -> Viewer:
    """The viewer, once the request proves it came from one of the console's own pages."""
    presented = await _presented_token(request)
    if not presented or not hmac.compare_digest(presented.encode(), viewer.csrf_token.encode()):
        raise CsrfError("the form has expired; reload the page and try again")
    return viewer


CsrfForm = Annotated[Viewer, Depends(check_csrf)]


def anonymous_token(request: Request) -> str:
    """The double-submit token for forms shown before sign-in (reuses the cookie's value)."""
    return request.cookies.get(ANONYMOUS_CSRF_COOKIE) or secrets.token_urlsafe(32)


async def check_anonymous_csrf(request: Request) -> None:
    cookie = request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
    presented = await _presented_token(request)
    if not cookie or not presented or not hmac.compare_digest(cookie.encode(), presented.encode()):
        raise CsrfError("the form has expired; reload the page and try again")


def form_values(form: FormData) -> dict[str, Any]:
    """Text fields of ``form`` (a repeated name becomes a list), uploads and the token left out."""
    values: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        items = [v for v in form.getlist(key) if not isinstance(v, UploadFile)]
        if not items:
            continue
        values[key] = items if len(items) > 1 else items[0]
    return values


def blank_to_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """Empty text inputs mean "not given" for optional fields."""
    return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in values.items()}


def filled_in(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields given: blank inputs are left out, so defaults apply and a required one
    reads as missing."""
    return {k: v for k, v in blank_to_none(values).items() if v is not None}


def validate(model: type[_Model], data: Mapping[str, Any]) -> tuple[_Model | None, dict[str, str]]:
    """``(instance, {})`` when valid, else ``(None, {field: msgid})``."""
    try:
        return model.model_validate(dict(data)), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "__all__"
            # A blank input (made None by ``blank_to_none``) in a required field is "missing".
            kind = "missing" if error.get("input", "") is None else error["type"]
            errors.setdefault(field, _message(kind, error))
        return None, errors


def refusal(
    session: Session,
    exc: JisrError,
    messages: Mapping[str, str],
    fields: Mapping[str, str],
    default: str = "form",
) -> dict[str, str]:
    """A domain service's refusal as one field error, ``{field: msgid}``: the message its code
    has in ``messages``, beside the field ``fields`` names for it (else ``default``). The
    transaction is rolled back, so nothing of the refused act is half-written; a code without
    a message is re-raised (the console's error page)."""
    message = messages.get(exc.code)
    if message is None:
        raise exc
    session.rollback()
    return {fields.get(exc.code, default): message}


# --- idempotency keys -------------------------------------------------------------------


def form_key_for(viewer: Viewer, scope: str, target: str = "") -> str:
    """The key of the form ``scope`` (about ``target``, e.g. the message answered) for this
    sign-in session: the same each time the form is rendered in the session."""
    seed = f"{scope}:{target}".encode()
    return hmac.new(viewer.csrf_token.encode(), seed, hashlib.sha256).hexdigest()[:32]


def _typed_print(form: FormData | Mapping[str, Any]) -> str:
    """A digest of what was typed and chosen (files by name and size), the tokens left out."""
    typed: dict[str, Any] = {}
    for key in form:
        if key in (CSRF_FIELD, IDEMPOTENCY_FIELD):
            continue
        items = form.getlist(key) if isinstance(form, FormData) else [form[key]]
        typed[key] = [
            [item.filename, item.size] if isinstance(item, UploadFile) else item for item in items
        ]
    return idempotency.fingerprint(typed)


def form_key(form: FormData | Mapping[str, Any]) -> str | None:
    """The form's idempotency key, when it carries a well-formed one."""
    value = form.get(IDEMPOTENCY_FIELD)
    if not isinstance(value, str) or not value:
        return None
    try:
        return idempotency.check_key(value)
    except JisrValidationError:
        return None


@dataclass(frozen=True, slots=True)
class FormOnce:
    """One submission of a creating form: its scope (``exchange.compose``...) and key (the
    form's key and the digest of what was typed; None when the form carries no key)."""

    scope: str
    key: str | None

    def first_result(self, session: Session, viewer: Viewer) -> idempotency.Replay | None:
        """What an earlier submission with this key created (None: nothing yet, or no key)."""
        if self.key is None:
            return None
        return idempotency.recall(session, self.scope, viewer.actor.id, self.key)

    def remember_result(
        self, session: Session, viewer: Viewer, result_id: str, location: str
    ) -> idempotency.Replay | None:
        """Record what this submission created; a concurrent twin that committed first wins
        (its result is returned and this transaction is rolled back)."""
        if self.key is None:
            return None
        return idempotency.remember(
            session, self.scope, viewer.actor.id, self.key, result_id=result_id, location=location
        )


def form_once(scope: str, form: FormData | Mapping[str, Any]) -> FormOnce:
    key = form_key(form)
    if key is None:
        return FormOnce(scope, None)
    return FormOnce(scope, f"{key[:64]}.{_typed_print(form)[:48]}")
