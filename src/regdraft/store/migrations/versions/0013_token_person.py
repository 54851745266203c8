"""a token names the person who holds it, the author of the versions it makes

Revision ID: 0013_token_person
Revises: 0012_categories
Create Date: 2026-12-06 23:30:00

A token's name is unique and machine-made (``make run`` names one
``make-run-20261206T183310Z``); the versions it made were signed with that. Tokens made
before this revision hold no person: their versions keep the token's name, as before.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013_token_person"
down_revision: str | Sequence[str] | None = "0012_categories"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("token") as batch:
        batch.add_column(sa.Column("person", sa.String(length=120), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("token") as batch:
        batch.drop_column("person")
