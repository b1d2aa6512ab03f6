"""Languages of the console: Arabic (right to left), French, English.

Messages live in Babel catalogues, one file per console area:
``jisr/web/locales/<lang>/LC_MESSAGES/<area>.po``. They are read and compiled in memory when
the console starts, so running the node needs no build step; a new page area adds its own
``.po`` files and nothing else. English is the source language (msgids are English).

One msgid has one translation per language, whatever the area it is used in: a page shows
strings of several areas (the navigation and the home page's "needs attention" lines come from
every area, a flash set on one page is shown on the next), so the catalogues are merged and
``tests/web/test_catalogues.py`` fails on a msgid translated two ways (``messages.collisions``).
A word that must read differently in two places (a status "Open" and the verb, a message's
"Subject" and an alert's subject, a word whose French or Arabic agrees with the noun it
qualifies) takes a message context: ``pgettext("status", "Open")`` in templates,
``pgettext_lazy("status", "Open")`` in Python tables translated later.

The language is picked, in order, from the signed-in user's saved choice, the ``jisr_lang``
cookie (set by the language switcher before sign-in), the browser's ``Accept-Language``, then
English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES: tuple[str, ...] = ("ar", "fr", "en")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_COOKIE = "jisr_lang"


@dataclass(frozen=True)
class Language:
    code: str
    # The language's own name, shown in the switcher ("العربية", "Français", "English").
    native_name: str

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RTL_LANGUAGES else "ltr"


def languages() -> tuple[Language, ...]:
    return tuple(
        Language(code, Locale.parse(code).get_display_name(code) or code) for code in LANGUAGES
    )


def supported(code: str | None) -> str | None:
    """``code`` normalised to a supported language (``fr-FR`` → ``fr``), or None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an ``Accept-Language`` header (quality-ordered)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = supported(tag)
        if code and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else None


@dataclass(frozen=True, slots=True)
class InContext:
    """A msgid in a message context (``msgctxt``), translated later where it is shown."""

    context: str
    message: str

    def __str__(self) -> str:
        return self.message


# A msgid as Python code hands it to a template: plain, or in a context.
Translatable = str | InContext


def pgettext_lazy(context: str, message: str) -> InContext:
    """Mark ``message`` in ``context`` for extraction (an extraction keyword, like ``N_``)."""
    return InContext(context, message)


@cache
def translations(code: str) -> Translations:
    """All catalogues of ``code`` merged into one ``Translations`` (English: identity).

    The merge is safe because no msgid is translated two ways (``messages.collisions``)."""
    merged: Translations | None = None
    folder = LOCALES_DIR / code / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")) if code != DEFAULT_LANGUAGE else ():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=code, domain=po_path.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        loaded = Translations(fp=buffer)
        # The first catalogue brings the plural rule (Arabic has six forms); the rest merge in.
        merged = loaded if merged is None else merged.merge(loaded)
    return merged if merged is not None else Translations()


def gettext(code: str, message: Translatable) -> str:
    """``message`` in language ``code`` (a plain msgid or one in a context)."""
    if isinstance(message, InContext):
        return pgettext(code, message.context, message.message)
    return str(translations(code).gettext(message))


def pgettext(code: str, context: str, message: str) -> str:
    return str(translations(code).pgettext(context, message))


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class Plural:
    """A message about a count, translated later where it is shown (a flash after a redirect);
    ``%(num)s`` in it is filled with ``num``."""

    singular: str
    plural: str
    num: int


def ngettext_lazy(singular: str, plural: str, num: int) -> Plural:
    """Mark a count message for extraction (an extraction keyword, like ``N_``)."""
    return Plural(singular, plural, num)


def ngettext(code: str, message: Plural) -> str:
    """``message`` in language ``code``, in the plural form its number takes there."""
    chosen = translations(code).ngettext(message.singular, message.plural, message.num)
    return str(chosen) % {"num": message.num}
