"""The full-text engine behind one index table: SQLite FTS5 or PostgreSQL ``tsvector``.

A typed query is read three ways, any of which finds a document:
- its words, each as a prefix, all in the title or text (``youss amr`` finds Youssef Amrani);
- when it looks like a name, its screening name keys, all among the document's name keys
  (``يوسف العمراني`` finds Youssef El Amrani);
- when it reads as one identifier, that identifier exactly (a phone in any format, an IBAN, a
  document number).

Both engines get the same folded tokens (``jisr.search.text``). SQLite matches the FTS5 table
``search_fts`` (its columns are the document's four term columns); PostgreSQL matches the
generated ``tsv`` column, whose weights tell the columns apart (A title, B name keys, C text,
D identifiers). Matches are taken newest first and at most ``window`` of them are ranked, so a
query costs the same whether it matches ten records or a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, column, func, literal_column, select, table
from sqlalchemy import text as sql_text

from jisr.search.models import SearchDocument as D
from jisr.search.text import looks_like_name, name_keys, query_identifiers, words

MAX_WORDS = 12
_FTS = table("search_fts", column("rowid"), column("rank"))


@dataclass(frozen=True, slots=True)
class Parsed:
    words: tuple[str, ...]
    name_keys: tuple[str, ...]
    identifiers: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words or self.name_keys or self.identifiers)

    @property
    def highlight(self) -> tuple[str, ...]:
        return self.words


def parse(query: str, region: str | None) -> Parsed:
    found = tuple(dict.fromkeys(w for w in words(query) if len(w) <= 64))[:MAX_WORDS]
    keys = tuple(dict.fromkeys(name_keys(query))) if looks_like_name(query) else ()
    return Parsed(found, keys[:MAX_WORDS], tuple(query_identifiers(query, region)))


def fts5_expression(parsed: Parsed) -> str:
    parts: list[str] = []
    if parsed.words:
        prefixes = " AND ".join(f'"{w}"*' for w in parsed.words)
        parts.append(f"{{title_terms body_terms}} : ({prefixes})")
    if parsed.name_keys:
        parts.append("name_keys : (" + " AND ".join(f'"{k}"' for k in parsed.name_keys) + ")")
    if parsed.identifiers:
        parts.append("identifiers : (" + " OR ".join(f'"{i}"' for i in parsed.identifiers) + ")")
    return " OR ".join(f"({p})" for p in parts)


def tsquery_expression(parsed: Parsed) -> str:
    parts: list[str] = []
    if parsed.words:
        parts.append(" & ".join(f"'{w}':*AC" for w in parsed.words))
    if parsed.name_keys:
        parts.append(" & ".join(f"'{k}':B" for k in parsed.name_keys))
    if parsed.identifiers:
        parts.append(" | ".join(f"'{i}':D" for i in parsed.identifiers))
    return " | ".join(f"({p})" for p in parts)


def matches(
    dialect: str, parsed: Parsed, where: ColumnElement[bool], window: int
) -> Select[int, str, float]:
    """Ids, kinds and scores (higher is better) of at most ``window`` matching documents
    admitted by ``where``, newest first."""
    if dialect == "postgresql":
        tsv: ColumnElement[Any] = literal_column("search_documents.tsv")
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), tsquery_expression(parsed))
        score = func.ts_rank(tsv, tsquery).label("score")
        return (
            select(D.id, D.kind, score)
            .where(tsv.op("@@")(tsquery), where)
            .order_by(D.id.desc())
            .limit(window)
        )
    score_ = (-_FTS.c.rank).cast(Float).label("score")
    return (
        select(D.id, D.kind, score_)
        .select_from(_FTS.join(D.__table__, D.id == _FTS.c.rowid))
        .where(
            sql_text("search_fts MATCH :expression").bindparams(expression=fts5_expression(parsed)),
            where,
        )
        .order_by(_FTS.c.rowid.desc())
        .limit(window)
    )
