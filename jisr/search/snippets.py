"""Highlighted snippets, escaped: the record's own text with the matched words marked.

Only text of a row the searcher may read is ever passed here. Every character of it is
HTML-escaped before ``<mark>`` is added, so a record cannot inject markup into the results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from jisr.search.text import fold, name_keys

_WORD = re.compile(r"[^\W_]+")
SNIPPET_WORDS = 32


def _marked(word: str, prefixes: Iterable[str], keys: frozenset[str]) -> bool:
    folded = fold(word)
    if any(folded.startswith(p) for p in prefixes):
        return True
    return bool(keys) and not keys.isdisjoint(name_keys(word))


def highlight(
    text: str,
    prefixes: tuple[str, ...],
    keys: tuple[str, ...] = (),
    *,
    words: int | None = None,
) -> Markup:
    """``text`` escaped, matched words in ``<mark>``; cut to ``words`` words around the first
    match when given."""
    key_set = frozenset(keys)
    spans = [
        (m.start(), m.end(), _marked(m.group(), prefixes, key_set)) for m in _WORD.finditer(text)
    ]
    start, end = 0, len(text)
    if words is not None and len(spans) > words:
        first = next((i for i, span in enumerate(spans) if span[2]), 0)
        lo = max(0, first - words // 3)
        hi = min(len(spans), lo + words)
        start = spans[lo][0] if lo else 0
        end = spans[hi - 1][1] if hi < len(spans) else len(text)
    out: list[str] = ["… " if start else ""]
    position = start
    for begin, finish, marked in spans:
        if begin < start or finish > end or not marked:
            continue
        out.append(str(escape(text[position:begin])))
        out.append(f"<mark>{escape(text[begin:finish])}</mark>")
        position = finish
    out.append(str(escape(text[position:end])))
    if end < len(text):
        out.append(" …")
    return Markup("".join(out))  # noqa: S704 - every part above is escaped
