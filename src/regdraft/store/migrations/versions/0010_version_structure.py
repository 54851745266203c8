"""versions' structures kept by content hash, kind and parser version

Revision ID: 0010_version_structure
Revises: 0009_rebase
Create Date: 2026-12-06 21:20:00

Versions stored before this revision have no row: their structure is read when first
asked for, as before (``services.structures``).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010_version_structure"
down_revision: str | Sequence[str] | None = "0009_rebase"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "version_structure",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parser_version", sa.String(length=16), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", "kind", "parser_version"),
    )


def downgrade() -> None:
    op.drop_table("version_structure")
