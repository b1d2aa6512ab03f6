"""Keeping the console's catalogues in step with its templates and pages.

``python -m jisr.web.messages update [AREA ...]`` extracts every msgid (``_()``/``{% trans %}`` in
templates, ``_()``/``N_()`` in ``jisr/web`` modules), groups them by area (the template folder
or the page module's name; shared pieces go to ``core``) and adds the new ones, untranslated, to
``locales/<lang>/LC_MESSAGES/<area>.po``, keeping existing translations and dropping msgids no
longer used. ``python -m jisr.web.messages check`` lists msgids without a translation; the test
suite runs the same check, so an untranslated string fails CI.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from jisr.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES_DIR

WEB_DIR = Path(__file__).parent
CORE = "core"
_METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def _area(filename: str) -> str:
    path = Path(filename)
    if path.parts[0] == "templates":
        return path.parts[1] if len(path.parts) > 2 else CORE
    if path.parts[0] == "pages":
        return path.stem
    return CORE


def extract() -> dict[str, dict[str, list[str]]]:
    """``{area: {msgid: [locations]}}`` for every translatable string of the console."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for filename, lineno, message, _comments, _context in extract_from_dir(
        WEB_DIR, method_map=_METHODS, options_map=_OPTIONS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found[_area(filename)][msgid].append(f"{filename}:{lineno}")
    return found


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
            for msgid, locations in sorted(messages.items()):
                previous = old.get(msgid)
                translated = previous.string if previous is not None else ""
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
            for msgid in sorted(messages):
                entry = catalog.get(msgid)
                if entry is None or not entry.string:
                    problems.append(f"{lang}/{area}: {msgid}")
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
