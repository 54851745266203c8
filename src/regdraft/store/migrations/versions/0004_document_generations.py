"""document generations: a write to one document leaves the others' renderings cached

Revision ID: 0004_document_generations
Revises: 0003_generation_counter
Create Date: 2026-11-30 09:20:00

The render cache is keyed by a generation that moves with every committed write. It
was one number for the whole store, so a write to any document sent every document's
renderings out of the cache. Now an event of a document moves that document's own
counter (a row of ``document_generation``, made by its first event), and an event of
no document (stakeholders, shared by all documents; tokens) moves the store-wide row of
``generation``. A document's generation is the sum of the two: it moves with every
write that can change what its renderings show, and with no other.

- SQLite: ``AFTER INSERT`` triggers, one per kind of event; writers take turns.
- PostgreSQL: as in 0003, a deferred constraint trigger moves the counters as each
  transaction commits, once per transaction. A transaction may have written to
  several documents and to stakeholders: an immediate trigger notes each counter its
  events move in a transaction-local setting, and the deferred one moves them all at
  once, in one order for every transaction (the store-wide row first, then documents
  by id). So two writers that wrote to the same documents in opposite orders still
  take the counters' row locks in the same order, and cannot deadlock on them.

The store-wide row keeps its value and documents start at zero, so no document's
generation is lower than the store's generation before.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_document_generations"
down_revision: str | Sequence[str] | None = "0003_generation_counter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _revision_0003():
    """Migration 0003's module (its file name is no module name to import by)."""
    path = Path(__file__).with_name("0003_generation_counter.py")
    spec = importlib.util.spec_from_file_location("regdraft_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.create_table(
        "document_generation",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.PrimaryKeyConstraint("document_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER event_moves_generation")
        op.execute("CREATE TRIGGER event_moves_generation AFTER INSERT ON event WHEN NEW.document_id IS NULL "
                   "BEGIN UPDATE generation SET value = value + 1 WHERE id = 1; END")
        op.execute("CREATE TRIGGER event_moves_document_generation AFTER INSERT ON event "
                   "WHEN NEW.document_id IS NOT NULL "
                   "BEGIN INSERT INTO document_generation (document_id, value) VALUES (NEW.document_id, 1) "
                   "ON CONFLICT (document_id) DO UPDATE SET value = value + 1; END")
        return
    # The counters an event moves, noted as ",0,12," (0: the store-wide row).
    op.execute("""CREATE FUNCTION event_notes_generation() RETURNS trigger LANGUAGE plpgsql AS $$
                   DECLARE
                     noted text := coalesce(current_setting('regdraft.generations_to_move', true), '');
                     counter text := coalesce(NEW.document_id, 0)::text || ',';
                   BEGIN
                     IF noted = '' THEN
                       PERFORM set_config('regdraft.generations_to_move', ',' || counter, true);
                     ELSIF position(',' || counter IN noted) = 0 THEN
                       PERFORM set_config('regdraft.generations_to_move', noted || counter, true);
                     END IF;
                     RETURN NULL;
                   END $$""")
    op.execute("CREATE TRIGGER event_notes_generation AFTER INSERT ON event "
               "FOR EACH ROW EXECUTE FUNCTION event_notes_generation()")
    op.execute("""CREATE OR REPLACE FUNCTION event_moves_generation() RETURNS trigger LANGUAGE plpgsql AS $$
                   DECLARE
                     counter bigint;
                   BEGIN
                     IF current_setting('regdraft.generation_moved', true) IS DISTINCT FROM 'yes' THEN
                       FOR counter IN
                         SELECT DISTINCT noted::bigint FROM unnest(string_to_array(
                           coalesce(current_setting('regdraft.generations_to_move', true), ''), ',')) AS noted
                         WHERE noted <> '' ORDER BY 1
                       LOOP
                         IF counter = 0 THEN
                           UPDATE generation SET value = value + 1 WHERE id = 1;
                         ELSE
                           INSERT INTO document_generation (document_id, value) VALUES (counter, 1)
                             ON CONFLICT (document_id) DO UPDATE SET value = document_generation.value + 1;
                         END IF;
                       END LOOP;
                       PERFORM set_config('regdraft.generation_moved', 'yes', true);
                     END IF;
                     RETURN NULL;
                   END $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER event_moves_document_generation")
        op.execute("DROP TRIGGER event_moves_generation")
        op.execute("CREATE TRIGGER event_moves_generation AFTER INSERT ON event "
                   "BEGIN UPDATE generation SET value = value + 1 WHERE id = 1; END")
    else:
        op.execute("DROP TRIGGER event_notes_generation ON event")
        op.execute("DROP FUNCTION event_notes_generation()")
        op.execute(_revision_0003().MOVE_ONCE_A_TRANSACTION)  # the deferred trigger calls 0003's function again
    # Back to one number for the store: it must not go back below any document's.
    op.execute("UPDATE generation SET value = value + coalesce((SELECT sum(value) FROM document_generation), 0)")
    op.drop_table("document_generation")
