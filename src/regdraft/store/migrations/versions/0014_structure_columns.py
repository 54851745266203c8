"""stored structures in columns: the rows of the JSON encoding dropped

Revision ID: 0014_structure_columns
Revises: 0013_token_person
Create Date: 2026-12-07 02:30:00

``services.structures`` now stores a reading's provisions in columns (its ``ENCODING``
2), keyed ``<parser version>.<encoding>``; the rows written before hold compressed JSON
under the parser's version alone. Nothing reads them any more: they are dropped, and a
version whose row is dropped has its reading stored again, in columns, the first time
it is read (as a version stored before migration 0010 has). Downgrading drops the rows
of the new encoding for the same reason.
"""

from __future__ import annotations

from typing import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014_structure_columns"
down_revision: str | Sequence[str] | None = "0013_token_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM version_structure WHERE parser_version NOT LIKE '%.%'")


def downgrade() -> None:
    op.execute("DELETE FROM version_structure WHERE parser_version LIKE '%.%'")
