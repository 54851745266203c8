"""decisions with reasons, and which amendments fall if another is adopted

Revision ID: 0007_decisions
Revises: 0006_version_source
Create Date: 2026-12-06 20:00:00

Two new tables and nothing else, so that this revision stands on any revision that
has the ``amendment`` table: ``decision`` (every status change of an amendment, with
its reason) and ``amendment_fall``. Amendments decided before it have no decision rows:
their reasons were never asked for.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007_decisions"
down_revision: str | Sequence[str] | None = "0006_version_source"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("amendment_id", sa.Integer(), sa.ForeignKey("amendment.id"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("previous", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=True),
        sa.Column("cause_id", sa.Integer(), sa.ForeignKey("amendment.id"), nullable=True),
    )
    op.create_index("ix_decision_amendment_id", "decision", ["amendment_id", "id"])
    op.create_index("ix_decision_batch", "decision", ["batch"])
    op.create_table(
        "amendment_fall",
        sa.Column("amendment_id", sa.Integer(), sa.ForeignKey("amendment.id"), primary_key=True),
        sa.Column("adopted_id", sa.Integer(), sa.ForeignKey("amendment.id"), primary_key=True),
    )
    op.create_index("ix_amendment_fall_adopted_id", "amendment_fall", ["adopted_id"])


def downgrade() -> None:
    op.drop_index("ix_amendment_fall_adopted_id", table_name="amendment_fall")
    op.drop_table("amendment_fall")
    op.drop_index("ix_decision_batch", table_name="decision")
    op.drop_index("ix_decision_amendment_id", table_name="decision")
    op.drop_table("decision")
