"""Diffs between two texts, grouped by provision.

Structure first, then words (the approach of eregs and Indigo): a word-level diff of
the whole text is cut at provision boundaries, and each piece is attributed to the
provision it belongs to, so a reviewer reads "regulation 3(a): changed" with the
inserted and deleted words inside, rather than a list of character offsets.

Every piece of the diff, unchanged text included, lands in exactly one group, in
order, so the groups rebuild both texts (:meth:`TextDiff.old_text`,
:meth:`TextDiff.new_text`); views drop the unchanged groups.

What a reviewer reads, on top of the word diff (:func:`reviewed`):

- a change never cuts a citation label: "(a)(1)(i)" or "§ 1005.2" is replaced whole,
  never ``v)`` by ``iv)``;
- common text between two edits is kept as common text when it says something (a
  label, a line end, or three words: "(2) The authority must", "; and (b)"), where
  the word diff's semantic cleanup had deleted and re-inserted it;
- a change of white space only beside a change made by another source is part of
  that change, not a change of its own;
- a provision moved elsewhere, unchanged, is reported as moved (from and to), one moved
  and edited as moved with its edit (where most of its words are the same,
  :data:`MOVED_WITH_EDITS`), and a provision whose only change is its number as
  renumbered (:class:`Relocation`).

The unchanged provisions between changes are held as runs and made into groups only
when asked for (:attr:`TextDiff.groups`): the changes of a long text are found in time
that grows with the change, not the document.

The package: :mod:`.model` (the values a diff is made of), :mod:`.owners` (which
provision owns each stretch of a text), :mod:`.grouping` (the entry points, and the
word diff cut and given to provisions), :mod:`.review` (what a reviewer reads on top of
the word diff), :mod:`.moves` (moved and renumbered provisions) and :mod:`.unified`.
"""

from regdraft.core.diffing.grouping import diff_texts, group_by_provision, read_structure
from regdraft.core.diffing.model import (ADDED, CHANGED, MOVED, REMOVED, RENUMBERED, UNCHANGED, ProvisionDiff, Relocation,
                                         TextDiff)
from regdraft.core.diffing.moves import MOVED_WITH_EDITS
from regdraft.core.diffing.owners import owner_points, owners_of
from regdraft.core.diffing.review import reviewed
from regdraft.core.diffing.unified import unified_diff

__all__ = ["ADDED", "CHANGED", "MOVED", "MOVED_WITH_EDITS", "REMOVED", "RENUMBERED", "UNCHANGED", "ProvisionDiff",
           "Relocation", "TextDiff", "diff_texts", "group_by_provision", "owner_points", "owners_of", "read_structure",
           "reviewed", "unified_diff"]
