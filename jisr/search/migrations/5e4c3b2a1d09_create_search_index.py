"""create the search index (documents, backlog, and the dialect's full-text structure)

Revision ID: 5e4c3b2a1d09
Revises:
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "5e4c3b2a1d09"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("search",)
depends_on: str | Sequence[str] | None = None

_TERMS = ("title_terms", "body_terms", "name_keys", "identifiers")


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=160), nullable=False),
        sa.Column("part", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("resource", sa.String(length=24), nullable=False),
        sa.Column("owner_agency", sa.String(length=24), nullable=False),
        sa.Column("crime_area", sa.String(length=32), nullable=True),
        sa.Column("data_category", sa.String(length=32), nullable=True),
        sa.Column("handling_code", sa.String(length=4), nullable=True),
        sa.Column("case_ref", sa.String(length=80), nullable=True),
        sa.Column("block_key", sa.String(length=120), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("record_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("body_terms", sa.Text(), nullable=False),
        sa.Column("name_keys", sa.Text(), nullable=False),
        sa.Column("identifiers", sa.Text(), nullable=False),
        sa.Column("indexed_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("source", "record_id", "part", name="uq_search_documents_key"),
    )
    op.create_index(
        "ix_search_documents_source_record", "search_documents", ["source", "record_id"]
    )
    op.create_index(op.f("ix_search_documents_kind"), "search_documents", ["kind"])
    op.create_index(op.f("ix_search_documents_case_ref"), "search_documents", ["case_ref"])
    op.create_table(
        "search_backlog",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=160), nullable=False),
        sa.Column("queued_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source", "record_id", name=op.f("pk_search_backlog")),
    )
    if op.get_bind().dialect.name == "postgresql":
        weighted = " || ".join(
            f"setweight(to_tsvector('simple'::regconfig, {column}), '{weight}')"
            for column, weight in zip(_TERMS, "ACBD", strict=True)
        )
        op.execute(
            f"ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({weighted}) STORED"
        )
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title_terms, body_terms, name_keys, identifiers,"
        " content='search_documents', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
    )
    op.execute(
        "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN"
        " INSERT INTO search_fts(rowid, title_terms, body_terms, name_keys, identifiers)"
        " VALUES (new.id, new.title_terms, new.body_terms, new.name_keys, new.identifiers); END"
    )
    op.execute(
        "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN"
        " INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, name_keys, identifiers)"
        " VALUES ('delete', old.id, old.title_terms, old.body_terms, old.name_keys,"
        " old.identifiers); END"
    )
    op.execute(
        "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN"
        " INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, name_keys, identifiers)"
        " VALUES ('delete', old.id, old.title_terms, old.body_terms, old.name_keys,"
        " old.identifiers);"
        " INSERT INTO search_fts(rowid, title_terms, body_terms, name_keys, identifiers)"
        " VALUES (new.id, new.title_terms, new.body_terms, new.name_keys, new.identifiers); END"
    )
    # Ranking weights of the four columns: title, text, name keys, identifiers.
    op.execute(
        "INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 4.0, 10.0)')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_backlog")
    op.drop_table("search_documents")
