"""stored structures with their stretches: the rows of encoding 2 dropped

Revision ID: 0015_structure_stretches
Revises: 0014_structure_columns
Create Date: 2026-12-07 12:10:00

``services.structures`` now stores a reading with its text's stretches (where the
alignment cuts the text and a hash of each piece: its ``ENCODING`` 3), keyed
``<parser version>.3``; the rows written before are of encoding 2. Nothing reads them
any more: they are dropped, and a version whose row is dropped has its reading stored
again, with its stretches, the first time it is read (as a version stored before
migration 0010 has). Downgrading drops the rows of encoding 3 for the same reason.
"""

from __future__ import annotations

from typing import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015_structure_stretches"
down_revision: str | Sequence[str] | None = "0014_structure_columns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM version_structure WHERE parser_version LIKE '%.2'")


def downgrade() -> None:
    op.execute("DELETE FROM version_structure WHERE parser_version LIKE '%.3'")
