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
filled in. A msgid in a message context (``pgettext``, ``pgettext_lazy``) is its own entry
(``msgctxt``). ``check`` also lists **collisions**: a msgid without a context translated two
ways in one language, in any two catalogues (the catalogues are merged when the console runs,
so a collision would show one area's word on another's page); give one of them a context.
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
# ``ngettext_lazy`` / ``pgettext_lazy`` (jisr.web.i18n) mark messages shown later (flashes, labels).
_KEYWORDS = {**DEFAULT_KEYWORDS, "ngettext_lazy": (1, 2), "pgettext_lazy": ((1, "c"), 2)}
_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
# A msgid, or (singular, plural) for a plural message.
MsgId = str | tuple[str, str]
# A catalogue entry: its msgid and its context (None without one).
MsgKey = tuple[MsgId, str | None]


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


def _text(msgid: MsgId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _sort_key(key: MsgKey) -> tuple[str, str]:
    return (_text(key[0]), key[1] or "")


def extract() -> dict[str, dict[MsgId, list[str]]]:
    """``{area: {msgid: [locations]}}`` for the console's strings without a context."""
    return {
        area: {msgid: where for (msgid, context), where in found.items() if context is None}
        for area, found in entries().items()
    }


def entries() -> dict[str, dict[MsgKey, list[str]]]:
    """``{area: {(msgid, context): [locations]}}`` for every translatable string of the console."""
    found: dict[str, dict[MsgKey, list[str]]] = defaultdict(lambda: defaultdict(list))
    for filename, lineno, message, _comments, context in extract_from_dir(
        WEB_DIR, method_map=_METHODS, options_map=_OPTIONS, keywords=_KEYWORDS
    ):
        msgid = _msgid(message)
        if msgid:
            found[_area(filename)][(msgid, context)].append(f"{filename}:{lineno}")
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
    extracted = entries()
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        for area, messages in extracted.items():
            if areas and area not in areas:
                continue
            old = _read(lang, area)
            new = Catalog(locale=lang, domain=area, project="Jisr")
            for (msgid, context), locations in sorted(
                messages.items(), key=lambda m: _sort_key(m[0])
            ):
                previous = old.get(msgid, context=context)
                translated = _kept(previous, msgid, new.num_plurals)
                where = [(loc.rsplit(":", 1)[0], int(loc.rsplit(":", 1)[1])) for loc in locations]
                new.add(msgid, translated, locations=where, context=context)
            path = _po_path(lang, area)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, new, width=100, omit_header=False, sort_output=True)


def missing(areas: list[str] | None = None) -> list[str]:
    """``lang/area: msgid`` for every string without a translation."""
    problems: list[str] = []
    for area, messages in entries().items():
        if areas and area not in areas:
            continue
        for lang in LANGUAGES:
            if lang == DEFAULT_LANGUAGE:
                continue
            catalog = _read(lang, area)
            for msgid, context in sorted(messages, key=_sort_key):
                if not _translated(catalog.get(msgid, context=context), msgid):
                    where = f" [{context}]" if context else ""
                    problems.append(f"{lang}/{area}: {_text(msgid)}{where}")
    return problems


def collisions() -> list[str]:
    """``lang: msgid`` for every msgid without a context translated two ways in one language.

    Every catalogue counts, not only those of areas shown together: the console merges them all,
    and navigation, the home page and flashes put several areas' strings on one page."""
    problems: list[str] = []
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        seen: dict[MsgId, dict[str | tuple[str, ...], list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for path in sorted((LOCALES_DIR / lang / "LC_MESSAGES").glob("*.po")):
            for entry in _read(lang, path.stem):
                if not entry.id or entry.context or not entry.string:
                    continue
                msgid = entry.id if isinstance(entry.id, str) else (entry.id[0], entry.id[1])
                string = entry.string if isinstance(entry.string, str) else tuple(entry.string)
                seen[msgid][string].append(path.stem)
        for msgid, strings in sorted(seen.items(), key=lambda m: _text(m[0])):
            if len(strings) > 1:
                ways = "; ".join(f"{'/'.join(areas)}: {s!r}" for s, areas in strings.items())
                count = len(strings)
                problems.append(f"{lang}: {_text(msgid)!r} is translated {count} ways ({ways})")
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    areas = argv[1:] or None
    if command == "update":
        update(areas)
        return 0
    problems = missing(areas) + (collisions() if not areas else [])
    for line in problems:
        print(line)  # noqa: T201 - a developer tool's output
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
