"""Provisions: the numbered units of a regulation, found in its CommonMark blocks.

The convention is written down in ``docs/drafting-format.md``. In short: level-2
headings open Parts, schedules and other sections; ``### 3. Heading`` opens a
regulation; a block starting ``(1)`` is a paragraph; list items starting ``(a)`` are
sub-paragraphs, and list items nested under those are heads. Nesting, not spelling,
decides whether ``(i)`` is a letter or a roman numeral.

Every provision has a stable id (``reg-3-2-a``), a label (``regulation 3(2)(a)``) and
a span of character offsets; spans nest, so :meth:`Structure.at` can map any offset
to the innermost provision.

The package is read in this order: :mod:`.model` (what a reading is), :mod:`.parsing`
(the entry point and its checks), the two block readers :mod:`.scanner` and
:mod:`.markdown`, which give the same events to :mod:`.builder`, the numbering rules of
:mod:`.numbering`, and :mod:`.stretch_reader`, which reads only the stretches of a long
text around a few offsets.
"""

from regdraft.core.structure.markdown import COMMONMARK_TRIM, pieces_between_headings
from regdraft.core.structure.model import PREAMBLE, Provision, Structure, StructureWarning
from regdraft.core.structure.numbering import id_order_key, number_value
from regdraft.core.structure.parsing import PARSER_VERSION, collector_paused, markdown_start, parse_structure
from regdraft.core.structure.stretch_reader import StretchReader

__all__ = ["COMMONMARK_TRIM", "PARSER_VERSION", "PREAMBLE", "Provision", "StretchReader", "Structure",
           "StructureWarning", "collector_paused", "id_order_key", "markdown_start", "number_value",
           "parse_structure", "pieces_between_headings"]
