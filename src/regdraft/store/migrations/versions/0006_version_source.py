"""an imported version remembers its source: format, point in time, metadata, source ids

Revision ID: 0006_version_source
Revises: 0005_document_kind
Create Date: 2026-12-06 20:10:00

``regdraft import`` reads CLML, Akoma Ntoso, eCFR, Word and plain text. What the text
alone cannot say (the FRBR URIs of the work and expression, the date a revised text
stood at, legislation.gov.uk's ``regulation-3-2-a`` and AKN's ``eId`` beside regdraft's
ids, what the import could not place) is kept here, one row per imported version.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_version_source"
down_revision: str | Sequence[str] | None = "0005_document_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "version_source",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("point_in_time", sa.String(length=32), nullable=False),
        sa.Column("source_metadata", sa.Text(), nullable=False),
        sa.Column("source_ids", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["version.id"]),
        sa.PrimaryKeyConstraint("version_id"),
    )


def downgrade() -> None:
    op.drop_table("version_source")
