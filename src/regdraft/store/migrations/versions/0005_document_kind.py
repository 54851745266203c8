"""documents declare their kind (drafting tradition) and whether they are strict

Revision ID: 0005_document_kind
Revises: 0004_document_generations
Create Date: 2026-12-06 20:00:00

Every document existing before this revision was read as a UK statutory instrument, so
it keeps that kind; none was strict.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_document_kind"
down_revision: str | Sequence[str] | None = "0004_document_generations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="uk-si"))
        batch.add_column(sa.Column("strict", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.drop_column("strict")
        batch.drop_column("kind")
