"""No server path in an error: paths under the node's directories become their last component.

A file-level error from a reader names the file it read (``/srv/jisr/imports/tmpab12/list.csv:
3: ...``); a caller needs the name, never where the node keeps its files. The error map runs
every problem's text through ``scrub_paths`` with the node's roots, so a new error message that
forgets cannot leak either.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path, PurePosixPath

# Where a server path may come from: the data directory, temporary files, the working
# directory, the installation. Checked longest first, so the most specific root wins.
_TAIL = r"[^\s'\"(),;]*"


def server_roots(data_dir: Path | None) -> tuple[str, ...]:
    roots = {tempfile.gettempdir(), str(Path.cwd()), sys.prefix, str(Path.home())}
    if data_dir is not None:
        roots |= {str(data_dir), str(data_dir.resolve())}
    return tuple(sorted((r.rstrip("/") for r in roots if len(r) > 1), key=len, reverse=True))


@lru_cache(maxsize=16)
def _pattern(roots: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(re.escape(r) for r in roots) + ")(?:/" + _TAIL + ")?")


def scrub_paths(text: str, roots: tuple[str, ...]) -> str:
    """``text`` with every path under ``roots`` replaced by its last component."""
    if not roots:
        return text
    return _pattern(roots).sub(lambda m: PurePosixPath(m.group(0)).name or "-", text)


def scrub_value(value: object, roots: tuple[str, ...]) -> object:
    """Scrub strings, also inside lists and dicts (a problem's ``rejections``)."""
    if isinstance(value, str):
        return scrub_paths(value, roots)
    if isinstance(value, dict):
        return {k: scrub_value(v, roots) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, roots) for v in _items(value)]
    return value


def _items(value: Iterable[object]) -> list[object]:
    return list(value)
