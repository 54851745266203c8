"""rebase: an amendment's latest rebase onto a newer head, and what it found

Revision ID: 0009_rebase
Revises: 0008_search
Create Date: 2026-12-06 20:40:00

One row per amendment that has been rebased or tried (``services/rebasing.py``); none
exist before this revision, so nothing is backfilled.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009_rebase"
down_revision: str | Sequence[str] | None = "0008_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "amendment_rebase",
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("patch_text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["amendment_id"], ["amendment.id"]),
        sa.PrimaryKeyConstraint("amendment_id"),
    )


def downgrade() -> None:
    op.drop_table("amendment_rebase")
