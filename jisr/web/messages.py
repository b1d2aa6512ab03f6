"""Keeping the console's catalogues in step with its templates and pages.

``python -m jisr.web.messages update [AREA ...]`` extracts every msgid (``_()``/``{% trans %}`` in
templates, ``_()``/``N_()`` in ``jisr/web`` modules), groups them by area (the template folder
or the page module's name; shared pieces go to ``core``) and adds the new ones, untranslated, to
``locales/<lang>/LC_MESSAGES/<area>.po``, keeping existing translations and dropping msgids no
longer used. ``python -m jisr.web.messages check`` lists msgids without a translation; the test
suite runs the same check, so an untranslated string fails CI.

A helper module of a page area, ``pages/<area>_<part>.py``, shares the area's catalogue. Plural
messages (``ngettext`` in Python, ``{{ ngettext(...) }}`` or ``{% trans count=n %}`` in
templates) get one ``msgstr[i]`` per plural form of the language (Arabic has six); each must be
filled in.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from jisr.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES_DIR

WEB_DIR = Path(__file__).parent
CORE = "core"
_METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
# ``ngettext_lazy`` (jisr.web.i18n) marks count messages shown later, such as flashes.
_KEYWORDS = {**DEFAULT_KEYWORDS, "ngettext_lazy": (1, 2)}
_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
# A msgid, or (singular, plural) for a plural message.
MsgId = str | tuple[str, str]


def _area(filename: str) -> str:
    path = Path(filename)
    if path.parts[0] == "templates":
        return path.parts[1] if len(path.parts) > 2 else CORE
    if path.parts[0] == "pages":
        owner = path.stem.split("_", 1)[0]
        return owner if (WEB_DIR / "pages" / f"{owner}.py").exists() else path.stem
    return CORE


def _msgid(message: str | tuple[str | None, ...]) -> MsgId | None:
    if isinstance(message, str):
        return message or None
    if len(message) >= 2 and message[0] and message[1]:
        return (message[0], message[1])  # ngettext(singular, plural, n)
    return message[0] or None


def _sort_key(msgid: MsgId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def extract() -> dict[str, dict[MsgId, list[str]]]:
    """``{area: {msgid: [locations]}}`` for every translatable string of the console."""
    found: dict[str, dict[MsgId, list[str]]] = defaultdict(lambda: defaultdict(list))
    for filename, lineno, message, _comments, _context in extract_from_dir(
        WEB_DIR, method_map=_METHODS, options_map=_OPTIONS, keywords=_KEYWORDS
    ):
        msgid = _msgid(message)
        if msgid:
            found[_area(filename)][msgid].append(f"{filename}:{lineno}")
    return found


def _kept(previous: Message | None, msgid: MsgId, forms: int) -> str | tuple[str, ...]:
    """The translation already made for ``msgid``, or an empty one of the right shape."""
    old = previous.string if previous is not None else None
    if isinstance(msgid, tuple):
        return tuple(old) if isinstance(old, tuple) and len(old) == forms else ("",) * forms
    return old if isinstance(old, str) else ""


def _translated(entry: Message | None, msgid: MsgId) -> bool:
    if entry is None:
        return False
    if isinstance(msgid, tuple):
        return isinstance(entry.string, tuple) and all(entry.string)
    return isinstance(entry.string, str) and bool(entry.string)


def _po_path(lang: str, area: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{area}.po"


def _read(lang: str, area: str) -> Catalog:
    path = _po_path(lang, area)
    if not path.exists():
        return Catalog(locale=lang, domain=area, project="Jisr")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=area)


def update(areas: list[str] | None = None) -> None:
    """Rewrite the catalogues of ``areas`` (all when None) from what the code uses now."""
    extracted = extract()
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        for area, messages in extracted.items():
            if areas and area not in areas:
                continue
            old = _read(lang, area)
            new = Catalog(locale=lang, domain=area, project="Jisr")
            for msgid, locations in sorted(messages.items(), key=lambda m: _sort_key(m[0])):
                translated = _kept(old.get(msgid), msgid, new.num_plurals)
                where = [(loc.rsplit(":", 1)[0], int(loc.rsplit(":", 1)[1])) for loc in locations]
                new.add(msgid, translated, locations=where)
            path = _po_path(lang, area)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, new, width=100, omit_header=False, sort_output=True)


def missing(areas: list[str] | None = None) -> list[str]:
    """``lang/area: msgid`` for every string without a translation."""
    problems: list[str] = []
    for area, messages in extract().items():
        if areas and area not in areas:
            continue
        for lang in LANGUAGES:
            if lang == DEFAULT_LANGUAGE:
                continue
            catalog = _read(lang, area)
            for msgid in sorted(messages, key=_sort_key):
                if not _translated(catalog.get(msgid), msgid):
                    problems.append(f"{lang}/{area}: {_sort_key(msgid)}")
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    areas = argv[1:] or None
    if command == "update":
        update(areas)
        return 0
    problems = missing(areas)
    for line in problems:
        print(line)  # noqa: T201 - a developer tool's output
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
