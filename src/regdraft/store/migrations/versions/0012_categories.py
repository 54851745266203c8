"""each document's consultation declares its own amendment categories

Revision ID: 0012_categories
Revises: 0010_version_structure
Create Date: 2026-12-06 23:00:00

Before this revision the categories were fixed in code, to the 2014 social-care
consultation's. Every document existing then was held to that list, so each is given
it here (in that order, with its titles) and is held to it still; a document made
later declares its own, or none (then amendments may name any category).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012_categories"
down_revision: str | Sequence[str] | None = "0011_comments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The list that was fixed in code (services.amendments.CATEGORIES up to this revision):
# written out here, as a migration must not change when the code does.
FIXED_CATEGORIES = (
    ("profit-ban", "Profit-making bodies barred"),
    ("scoped-pilot", "Delegation as a scoped pilot"),
    ("inspection-duty", "Inspection of delegated bodies"),
    ("accountability", "Accountability stays with the council"),
    ("standards", "Standards and qualifications"),
    ("contracts", "Contracts and their terms"),
    ("cross-boundary", "Work across council boundaries"),
    ("consultation", "Consultation before delegating"),
    ("review", "Review of the regulations"),
)


def upgrade() -> None:
    table = op.create_table(
        "document_category",
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("slug", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(), nullable=False, server_default=""),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("document_id", "slug"),
    )
    documents = [row[0] for row in op.get_bind().execute(sa.text("SELECT id FROM document"))]
    op.bulk_insert(table, [{"document_id": document, "slug": slug, "title": title, "position": position}
                           for document in documents
                           for position, (slug, title) in enumerate(FIXED_CATEGORIES)])


def downgrade() -> None:
    op.drop_table("document_category")
