"""versions' renderings kept by content hash, kind and renderer version

Revision ID: 0016_version_rendering
Revises: 0015_structure_stretches
Create Date: 2026-12-07 12:20:00

Versions stored before this revision have no row: their rendering is made on their
first redline and stored then (``services.renderings``).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016_version_rendering"
down_revision: str | Sequence[str] | None = "0015_structure_stretches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "version_rendering",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("renderer_version", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", "kind", "renderer_version"),
    )


def downgrade() -> None:
    op.drop_table("version_rendering")
