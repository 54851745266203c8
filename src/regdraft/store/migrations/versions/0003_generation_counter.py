"""generation counter: the render cache's key read from one row, not from the event log

Revision ID: 0003_generation_counter
Revises: 0002_tokens_and_audit
Create Date: 2026-11-30 06:45:00

The render cache is keyed by the store's generation, which every cache hit reads.
It was the number of events on PostgreSQL (``count(*)``, 41 ms with a million events,
and growing) and the last event id on SQLite. Now a trigger on ``event`` moves a
counter row, and a read is one row:

- SQLite: an ``AFTER INSERT`` trigger adds one per event. SQLite writers take turns
  (``BEGIN IMMEDIATE``), so the update never waits.
- PostgreSQL: a *deferred* constraint trigger adds one per transaction that appended
  events, when it commits. Deferred, the row lock it takes is the last lock of its
  transaction, held only while it commits: a writer holding it waits for nothing else,
  so it cannot be part of a deadlock, and writers queue on it only for their commits.
  A transaction-local setting makes the second and later events of one transaction
  leave the row alone, so a bulk load updates it once.

The row starts at the number of events already logged, which is what PostgreSQL's
generation was.
"""

from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003_generation_counter"
down_revision: str | Sequence[str] | None = "0002_tokens_and_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The deferred trigger's function (0004 puts it back when it is downgraded).
MOVE_ONCE_A_TRANSACTION = """CREATE OR REPLACE FUNCTION event_moves_generation() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                         IF current_setting('regdraft.generation_moved', true) IS DISTINCT FROM 'yes' THEN
                           UPDATE generation SET value = value + 1 WHERE id = 1;
                           PERFORM set_config('regdraft.generation_moved', 'yes', true);
                         END IF;
                         RETURN NULL;
                       END $$"""


def upgrade() -> None:
    op.create_table(
        "generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_generation_one_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO generation (id, value) SELECT 1, count(*) FROM event")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER event_moves_generation AFTER INSERT ON event "
                   "BEGIN UPDATE generation SET value = value + 1 WHERE id = 1; END")
    else:
        op.execute(MOVE_ONCE_A_TRANSACTION)
        op.execute("CREATE CONSTRAINT TRIGGER event_moves_generation AFTER INSERT ON event "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION event_moves_generation()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER event_moves_generation")
    else:
        op.execute("DROP TRIGGER event_moves_generation ON event")
        op.execute("DROP FUNCTION event_moves_generation()")
    op.drop_table("generation")
