"""comments: discussion on provisions, amendments, response passages and citations

Revision ID: 0011_comments
Revises: 0010_version_structure
Create Date: 2026-12-06 22:50:00

Two tables (``services/comments.py``): ``comment`` (never deleted; hidden with a reason)
and ``comment_anchor`` (where a comment's quote stands in each version, or in its
response). None exist before this revision, so nothing is backfilled. Comments are
never deleted (a reviewer hides one): triggers refuse every ``DELETE`` of a comment row
(and ``TRUNCATE`` on PostgreSQL), whoever sends it, as the event log's do (0002).
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011_comments"
down_revision: str | Sequence[str] | None = "0010_version_structure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER_DELETED = "comments are never deleted: hide one instead"


def upgrade() -> None:
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("provision_id", sa.String(length=120), nullable=True),
        sa.Column("amendment_id", sa.Integer(), nullable=True),
        sa.Column("citation", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.String(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["version.id"]),
        sa.ForeignKeyConstraint(["amendment_id"], ["amendment.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"]),
        sa.ForeignKeyConstraint(["thread_id"], ["comment.id"]),
        sa.ForeignKeyConstraint(["reply_to_id"], ["comment.id"]),
        sa.ForeignKeyConstraint(["stakeholder_id"], ["stakeholder.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_document_target", "comment", ["document_id", "target"])
    op.create_index("ix_comment_amendment_id", "comment", ["amendment_id"])
    op.create_index("ix_comment_response_id", "comment", ["response_id"])
    op.create_index("ix_comment_thread_id", "comment", ["thread_id"])
    op.create_table(
        "comment_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("prefix", sa.Text(), nullable=False),
        sa.Column("suffix", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("provision_id", sa.String(length=120), nullable=True),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("reattached_by", sa.String(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("comment_id", "version_id", name="uq_comment_anchor_version"),
    )
    op.create_index("ix_comment_anchor_comment_id", "comment_anchor", ["comment_id"])
    op.create_index("ix_comment_anchor_version", "comment_anchor", ["version_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE TRIGGER comment_never_deleted BEFORE DELETE ON comment "
                   f"BEGIN SELECT RAISE(ABORT, '{NEVER_DELETED}'); END")
    else:
        op.execute(f"""CREATE FUNCTION comment_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN RAISE EXCEPTION '{NEVER_DELETED}: % refused', TG_OP; END $$""")
        op.execute("CREATE TRIGGER comment_never_deleted BEFORE DELETE ON comment "
                   "FOR EACH ROW EXECUTE FUNCTION comment_never_deleted()")
        op.execute("CREATE TRIGGER comment_no_truncate BEFORE TRUNCATE ON comment "
                   "FOR EACH STATEMENT EXECUTE FUNCTION comment_never_deleted()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER comment_never_deleted")
    else:
        op.execute("DROP TRIGGER comment_no_truncate ON comment")
        op.execute("DROP TRIGGER comment_never_deleted ON comment")
        op.execute("DROP FUNCTION comment_never_deleted()")
    op.drop_table("comment_anchor")
    op.drop_table("comment")
