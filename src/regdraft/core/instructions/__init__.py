"""Amending instructions: a change between two texts written the way UK amending
legislation writes it, and read back again.

:func:`generate` turns a pair of texts into numbered instructions in document order::

    1. In regulation 3(2), for “any person” substitute “a body that is not-for-profit”.

    2. After regulation 4 insert—

    > ### 5. Bodies carried on for profit
    >
    > A body carried on for profit may not be a party.

    3. Omit regulation 5(3)(b).

:func:`parse` reads instructions written in that style (by :func:`render_instructions`
or by a drafter) and applies them, in order, to a text. Each instruction names a
provision by its label (``regulation 3(2)(a)``, ``paragraph 2 of Schedule 1``, ``the
preamble``), which is looked up in the text *as amended by the instructions before
it*, as an amending instrument is read.

The round trip ``parse(render_instructions(generate(old, new)), old) == new`` always
holds: the generator proposes the most natural instruction for each change, applies it
exactly as the parser will (render, read back, apply), and keeps it only if it gives
exactly the intended text; otherwise it tries a plainer form, and in the end
substitutes the whole of the innermost provision that it can (``For regulation 3(a)
substitute—``). ``docs/instructions.md`` describes the language.
"""

from regdraft.core.instructions.apply import apply_instruction, parse
from regdraft.core.instructions.generate import generate, render_instructions
from regdraft.core.instructions.model import Instruction
from regdraft.core.instructions.read import read_instructions

__all__ = ["Instruction", "apply_instruction", "generate", "parse", "read_instructions", "render_instructions"]
