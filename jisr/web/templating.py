"""Rendering console pages: one Jinja2 environment per language, autoescaped everywhere.

Templates get, besides what the page passes: ``lang``, ``dir`` (``rtl`` for Arabic), ``viewer``
(or None), ``csrf_token``, ``nav``, ``languages``, ``request_path``, ``flash`` and the helpers
``static()``, ``fmt_datetime()``, ``fmt_date()``, ``fmt_number()``, ``translit()``. Strings are
marked ``{{ _("...") }}`` or ``{% trans %}...{% endtrans %}`` (``{{ pgettext("status", "Open") }}``
for a word that needs a context) and come from the Babel catalogues.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from jisr.web import i18n
from jisr.web.forms import ANONYMOUS_CSRF_COOKIE, anonymous_token
from jisr.web.names import transliteration
from jisr.web.registry import navigation

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
FLASH_COOKIE = "jisr_flash"
# Locales for dates and numbers: Moroccan Arabic formats with Latin digits, as officers write.
_BABEL_LOCALE = {"ar": "ar_MA", "fr": "fr_FR", "en": "en_GB"}


@cache
def _static_versions() -> dict[str, str]:
    return {
        str(p.relative_to(STATIC_DIR)): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
        for p in STATIC_DIR.rglob("*")
        if p.is_file()
    }


def static_url(path: str) -> str:
    """URL of a vendored asset, versioned by its content so browsers never use a stale copy."""
    version = _static_versions().get(path, "0")
    return f"/static/{path}?v={version}"


@cache
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue = i18n.translations(lang)
    # ``_()`` also takes a msgid in a context handed over by Python code (``pgettext_lazy``).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        partial(i18n.gettext, lang),
        catalogue.ngettext,
        newstyle=True,
        pgettext=catalogue.pgettext,
        npgettext=catalogue.npgettext,
    )
    locale = _BABEL_LOCALE[lang]

    def fmt_datetime(value: datetime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, "d MMM y HH:mm", tzinfo=None, locale=locale) + " UTC"

    def fmt_date(value: date | datetime | None) -> str:
        return "" if value is None else format_date(value, "medium", locale=locale)

    def fmt_number(value: float | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=locale)

    env.globals.update(
        static=static_url,
        fmt_datetime=fmt_datetime,
        fmt_date=fmt_date,
        fmt_number=fmt_number,
        translit=partial(transliteration, lang=lang),
        translit_lang="fr" if lang == "fr" else "en",
    )
    return env


def request_language(request: Request) -> str:
    """The language of this request (see ``jisr.web.i18n`` for the order of preference)."""
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        chosen = i18n.supported(viewer.language)
        if chosen:
            return chosen
    return (
        i18n.supported(request.cookies.get(i18n.LANGUAGE_COOKIE))
        or i18n.from_accept_language(request.headers.get("accept-language"))
        or i18n.DEFAULT_LANGUAGE
    )


def translate(request: Request, message: i18n.Translatable) -> str:
    return i18n.gettext(request_language(request), message)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = request_language(request)
    viewer = getattr(request.state, "viewer", None)
    # Before sign-in, forms (sign-in, language) carry a double-submit token instead.
    csrf = viewer.csrf_token if viewer is not None else anonymous_token(request)
    page: dict[str, Any] = {
        "lang": lang,
        "dir": "rtl" if lang in i18n.RTL_LANGUAGES else "ltr",
        "languages": i18n.languages(),
        "viewer": viewer,
        "csrf_token": csrf,
        "nav": navigation(request.app.state.ctx.console, viewer.roles) if viewer else [],
        "request_path": request.url.path,
        "current_url": _local_url(request),
        "flash": _read_flash(request),
        "is_htmx": request.headers.get("hx-request") == "true",
    }
    page.update(context or {})
    html = environment(lang).get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if page["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    if viewer is None and request.cookies.get(ANONYMOUS_CSRF_COOKIE) != csrf:
        secure = not request.app.state.ctx.settings.is_dev
        response.set_cookie(
            ANONYMOUS_CSRF_COOKIE, csrf, httponly=True, secure=secure, samesite="strict", path="/"
        )
    return response


def _local_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _flash_signature(message: str, secret: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def set_flash(response: Response, request: Request, message: str | i18n.Plural) -> None:
    """Show ``message`` (an English msgid, or a count message from ``ngettext_lazy``; translated
    when shown) on the next page rendered."""
    secret = request.app.state.ctx.settings.secret
    if isinstance(message, i18n.Plural):
        payload = json.dumps([message.singular, message.plural, message.num])
    else:
        payload = json.dumps(message)
    response.set_cookie(
        FLASH_COOKIE,
        f"{_flash_signature(payload, secret)}.{quote(payload)}",
        httponly=True,
        samesite="strict",
        path="/",
    )


def _read_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    signature, _, quoted = raw.partition(".")
    payload = unquote(quoted)
    secret = request.app.state.ctx.settings.secret
    if not hmac.compare_digest(signature, _flash_signature(payload, secret)):
        return None
    try:
        message = json.loads(payload)
    except ValueError:
        return None
    if isinstance(message, str):
        return translate(request, message)
    match message:
        case [str(singular), str(plural), int(num)]:
            return i18n.ngettext(request_language(request), i18n.Plural(singular, plural, num))
    return None


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to after sign-in; anything else (other hosts, schemes) is refused."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if target.startswith(("/sign-in", "/sign-out", "/enrol")):
        return default
    return target
