"""The diff engine: the one package that talks to diff-match-patch.

diff-match-patch's defaults are traps for a drafting tool, so every setting is chosen
here on purpose:

- ``Diff_Timeout = 0``: no wall-clock cut-off. With the default of one second a busy
  machine produces a different (worse) diff, so a stored patch would depend on load.
- Diffs are computed on **word tokens**, not characters, so hunks start and end at
  word boundaries ("for-profit" is replaced, not "for-pr" + "ofit").
- **Lines first, then words**, as git's word diff and upstream's own ``diff_lineMode``
  do: the texts are diffed a line at a time (one character per distinct line), the
  line diff gets upstream's semantic cleanup (a blank line inside a rewritten block is
  no match worth keeping), and each block of replaced lines is diffed word by word.
  Tokenising only the changed lines is what makes a long text cheap to diff; the
  price, as in git, is that words are matched within a block of replaced lines only.
  Lines found in one text only are set aside before the line diff (they can match
  nothing), as git's xdiff does: scattered edits would otherwise cost Myers'
  algorithm the square of their number.
- ``Patch_Margin = 12`` and ``Match_MaxBits = 64``: more context than upstream's 4
  characters, so a hunk can be re-found in a later version of long, repetitive legal
  text. The patch text is still standard: upstream ``patch_fromText`` reads it and
  ``patch_apply`` gives the same result on the base. Context grows until it is unique
  within ``_CONTEXT_WINDOW`` characters either side of the hunk, not in the whole text
  (see :func:`_add_context`); on a text shorter than that the patch is upstream's,
  character for character.
- ``patch_apply`` reports failed hunks as ``False`` and carries on; we never call it.
  :func:`apply_patch` locates every hunk itself (exact place, then the nearest exact
  occurrence, then the best fuzzy match that keeps every edit's edges exactly),
  applies it the way upstream does, and reports each hunk's fate. By default one
  failed hunk fails the whole application.

Its modules: :mod:`.engine` (the engine's settings and the ops a diff is made of),
:mod:`.diffs` (word and sequence diffs), :mod:`.patches` (patch text made and read)
and :mod:`.applying` (hunks located, applied and reported).
"""

from regdraft.core.patching.applying import (ApplyResult, CarriedPositions, HunkResult, HunkStatus, applied_in_turn,
                                            apply_patch, upstream_apply)
from regdraft.core.patching.diffs import diff_sequences, diff_words, word_diff_lengths
from regdraft.core.patching.engine import DELETE, EQUAL, INSERT, Op
from regdraft.core.patching.patches import Hunk, Patch, make_patch, parse_patch, patch_text_of

__all__ = ["DELETE", "EQUAL", "INSERT", "ApplyResult", "CarriedPositions", "Hunk", "HunkResult", "HunkStatus", "Op",
           "Patch", "applied_in_turn", "apply_patch", "diff_sequences", "diff_words", "make_patch", "parse_patch",
           "patch_text_of", "upstream_apply", "word_diff_lengths"]
