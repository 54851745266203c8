"""Outside formats: one reader and/or writer per format, pure over core values.

Readers live in :mod:`regdraft.formats.read` (bytes in, an :class:`ImportedDocument`
out), writers in :mod:`regdraft.formats.write`. services/ calls them; api/ and cli/ only
pick the format. lxml (and python-docx, for Word) are allowed here and nowhere in core/.
"""

from regdraft.formats.model import Finding, ImportedDocument, ImportReport
from regdraft.formats.read import FORMATS, MAX_BYTES, detect_format, read_document
from regdraft.core.traditions import KINDS

__all__ = ["FORMATS", "KINDS", "MAX_BYTES", "Finding", "ImportReport", "ImportedDocument", "detect_format",
           "read_document"]
