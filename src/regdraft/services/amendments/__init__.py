"""Amendments: propose, look up, change status, accept, apply, find conflicts.

The package, in reading order: :mod:`.proposing` (a proposer's input checked, its patch
made and read for provisions, the amendment written, revised and rebased);
:mod:`.citations` (each quote checked against its response and anchored there);
:mod:`.lookup` (amendments found by slug, named, listed, and what each holds: its
categories, hunks and citations); :mod:`.workflow` (the statuses and the changes
between them, accepting and the amendments that fall with it, the guarded revision);
and :mod:`.applying` (amendments applied in turn to a version, and the pairs that
conflict).
"""

from regdraft.services.amendments.applying import (AppliedAmendment, ApplyOutcome, apply_amendments,
                                                   check_not_already_in, conflicts)
from regdraft.services.amendments.citations import (MAX_CITATIONS, MAX_QUOTE_CHARS, QUOTE_MINIMUM, CitationCheck,
                                                    CitationInput, QuoteMinimum, check_citations, refused)
from regdraft.services.amendments.lookup import (MAX_NAMED, categories_of, check_named, citations_of,
                                                 citations_of_each, describe, find_amendment, get_amendment,
                                                 hunks_of, hunks_of_each, list_amendments, open_amendments, resolve)
from regdraft.services.amendments.proposing import (MAX_CATEGORIES, OPEN, AmendmentInput, Prepared, analysed,
                                                    check_revisable, check_slug_free, move_base, prepare, propose,
                                                    revise, revise_open)
from regdraft.services.amendments.workflow import (STATUSES, TRANSITIONS, Accepted, PreparedAcceptance, accept,
                                                   accept_reporting, check_revision, link_produced_version,
                                                   prepare_acceptance, produced_version, set_status, state_hash)

__all__ = ["MAX_CATEGORIES", "MAX_CITATIONS", "MAX_NAMED", "MAX_QUOTE_CHARS", "OPEN", "QUOTE_MINIMUM", "STATUSES",
           "TRANSITIONS", "Accepted", "AmendmentInput", "AppliedAmendment", "ApplyOutcome", "CitationCheck",
           "CitationInput", "Prepared", "PreparedAcceptance", "QuoteMinimum", "accept", "accept_reporting", "analysed",
           "apply_amendments", "categories_of", "check_citations", "check_named", "check_not_already_in",
           "check_revisable", "check_revision", "check_slug_free", "citations_of", "citations_of_each", "conflicts",
           "describe", "find_amendment", "get_amendment", "hunks_of", "hunks_of_each", "link_produced_version",
           "list_amendments", "move_base", "open_amendments", "prepare", "prepare_acceptance", "produced_version",
           "propose", "refused", "resolve", "revise", "revise_open", "set_status", "state_hash"]
