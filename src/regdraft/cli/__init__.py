"""The ``regdraft`` command line (Typer).

Two kinds of command:

- **file commands** (``patch``, ``apply PATCH FILE``, ``diff OLD.md NEW.md``) work on
  files and never open the database, like ``git diff --no-index``;
- **database commands** build the engine from ``REGDRAFT_DATABASE_URL`` (or
  ``--database-url``), run the migrations (so a fresh machine works), and run in one
  transaction: committed when the command succeeds, rolled back when it fails.

Output contract (see docs/cli.md):

- stdout carries only the result (a text, a patch, a diff, a list);
- every error is one line on stderr, ``regdraft: <message>``, and never a traceback for
  something a user did; hunk reports (``hunk 2: failed (expected at offset 1040)``)
  are the one documented multi-line stderr output;
- exit status 0 on success; 2 for bad input or usage (invalid text, files, patches,
  names that do not exist); 1 when a valid request did not work: a hunk failed, the
  conflicts command found conflicts, or the state forbids the change (a taken slug, a
  status change the workflow does not allow), and for database or I/O failures.

Modules: ``app`` (the Typer app and the error contract), ``common`` (input, output,
the database session, shared options), and the commands by theme: ``texts`` (patch,
apply, diff), ``rendering`` (render), ``files`` (load, export), ``importing`` (import, new), ``adding`` (version add, stakeholder add, response add), ``listing`` (documents, versions, amendments,
log), ``drafting`` (propose, accept, status, conflicts, xref), ``server`` (serve,
openapi), ``trust`` (token create/list/revoke, verify). Importing a module registers
its commands; ``app.COMMANDS`` names the module of every command, in the order
``--help`` lists them, and a module is imported only when one of its commands is run.

Heavy imports (SQLModel, FastAPI, uvicorn) happen inside the commands that need them,
so the file commands start quickly.
"""

from regdraft.cli.app import app

__all__ = ["app"]
