"""``python -m regdraft.cli``: the same as the ``regdraft`` command."""

from regdraft.cli import app

app(prog_name="regdraft")
