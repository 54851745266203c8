"""search: one full-text index over documents' provisions, amendments and responses

Revision ID: 0008_search
Revises: 0007_decisions
Create Date: 2026-12-06 20:10:00

``search_item`` holds one row per thing a search can find: a provision's own text (the
words before its first sub-provision) over the run of versions in which that text stood
(``version_from`` up to, not including, ``version_until``; ``NULL``: it is in the head),
an amendment (title, rationale, the words it inserts and removes) and a response. The
services keep it in the transaction of the write that changes what it indexes
(``services/search.py``); this migration builds it for what is stored already.

- SQLite: an FTS5 table whose content is a view of ``search_item`` (so the text is
  stored once); a ``scope`` column of the view holds the facets a search narrows by
  first (``xdoc12`` the document, ``xkindprovision`` the kind, ``xhead`` the text of the head),
  so FTS5 intersects posting lists instead of filtering every match of a common word
  (``xdoc12``, not ``d12``: the tokens must not be words a text holds, or, stemmed,
  ``head`` would share its posting list with every "heading"). Triggers keep the index in step with the table.
- PostgreSQL: a stored generated ``tsvector`` column (English configuration, as FTS5's
  porter stemmer) with a GIN index.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008_search"
down_revision: str | Sequence[str] | None = "0007_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TYPOGRAPHIC = "“”‘’«»„‚—–…•·§¶"
# The facets of a row, as FTS5 tokens (the same expression in the view and the triggers).
_SCOPE = ("'xdoc' || {row}.document_id || ' xkind' || {row}.kind || "
          "CASE WHEN {row}.version_until IS NULL THEN ' xhead' ELSE '' END")


def upgrade() -> None:
    op.create_table(
        "search_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("version_from", sa.Integer(), nullable=True),
        sa.Column("version_until", sa.Integer(), nullable=True),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("stakeholder_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["amendment_id"], ["amendment.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"]),
        sa.ForeignKeyConstraint(["stakeholder_id"], ["stakeholder.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_search_item_document_kind_target", "search_item", ["document_id", "kind", "target"])
    op.create_index("ix_search_item_amendment_id", "search_item", ["amendment_id"])
    op.create_index("ix_search_item_response_id", "search_item", ["response_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIEW search_item_fts_source AS SELECT id, body, "
                   f"{_SCOPE.format(row='search_item')} AS scope FROM search_item")
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(body, scope, content='search_item_fts_source', "
                   "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')")
        new, old = _SCOPE.format(row="NEW"), _SCOPE.format(row="OLD")
        op.execute("CREATE TRIGGER search_item_indexed AFTER INSERT ON search_item BEGIN "
                   f"INSERT INTO search_fts (rowid, body, scope) VALUES (NEW.id, NEW.body, {new}); END")
        op.execute("CREATE TRIGGER search_item_unindexed AFTER DELETE ON search_item BEGIN "
                   "INSERT INTO search_fts (search_fts, rowid, body, scope) "
                   f"VALUES ('delete', OLD.id, OLD.body, {old}); END")
        op.execute("CREATE TRIGGER search_item_reindexed AFTER UPDATE ON search_item BEGIN "
                   "INSERT INTO search_fts (search_fts, rowid, body, scope) "
                   f"VALUES ('delete', OLD.id, OLD.body, {old}); "
                   f"INSERT INTO search_fts (rowid, body, scope) VALUES (NEW.id, NEW.body, {new}); END")
    else:
        # Typographic punctuation is read as a separator, as FTS5 reads it: under a C
        # locale PostgreSQL's parser takes any non-ASCII character for a letter, so
        # 'motive”,' would be one word and "motive" would not find it.
        op.execute("ALTER TABLE search_item ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
                   f"(to_tsvector('english', translate(body, '{_TYPOGRAPHIC}', "
                   f"'{' ' * len(_TYPOGRAPHIC)}'))) STORED")
        op.execute("CREATE INDEX ix_search_item_tsv ON search_item USING gin (tsv)")
    from regdraft.services.search import rebuild  # the same code that keeps it on write

    rebuild(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_item_indexed", "search_item_unindexed", "search_item_reindexed"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE search_fts")
        op.execute("DROP VIEW search_item_fts_source")
    op.drop_table("search_item")
