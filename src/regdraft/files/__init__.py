"""Plain files beside the code: ``drafts/<document>/`` and ``amendments/<document>/``
(the format is in ``docs/files.md``).

- :func:`load` imports them into the database (every file is read and checked before
  anything is written; the caller owns the transaction);
- :func:`export` writes the database back in exactly the same form, byte for byte.
"""

from regdraft.files.exporter import export, render
from regdraft.files.loader import Counts, LoadReport, load, read_tree

__all__ = ["Counts", "LoadReport", "export", "load", "read_tree", "render"]
