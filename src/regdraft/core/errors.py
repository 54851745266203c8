"""One error hierarchy for the whole of regdraft.

Every error a user can cause is a :class:`RegdraftError`. The API maps each class to
an HTTP status in one place (``regdraft.api.errors``) and the CLI prints its message
on one line; neither needs to know the subclasses' details::

    RegdraftError
    ├── InvalidInput                 the request or file itself is wrong (422)
    │   ├── InvalidText              NUL bytes, undecodable bytes, empty text
    │   ├── InvalidStructure         provisions that cannot be numbered (duplicate ids)
    │   ├── InvalidPatch             patch text that is not diff-match-patch patch text
    │   ├── InvalidInstruction       (reserved for amending instructions)
    │   ├── QuoteNotFound            a citation's quote is not in the response
    │   ├── OverBudget               the request asks for more work than a request may do
    │   ├── InvalidFile              a file under drafts/ or amendments/ (path and line)
    │   └── InvalidFormat            an imported file that cannot be read in its format (where)
    ├── NotFound                     an id, slug or number that does not exist (404)
    ├── Unauthenticated              no token, or a token that is unknown or revoked (401)
    ├── Forbidden                    the token's role or stakeholder may not do this (403)
    ├── Conflict                     the request is valid but the state forbids it (409)
    │   ├── StaleParent              a new version names a parent that is not the head
    │   ├── AlreadyExists            a slug or number is taken
    │   ├── InvalidTransition        a change the state does not allow: a status the workflow forbids,
    │   │                            a stale revision, a hidden or final comment
    │   └── AmendmentsConflict       amendments chosen together touch the same text
    ├── PatchDoesNotApply            hunks failed; carries the hunk-by-hunk report (409)
    ├── NotAcceptable                no format of a rendering is one the client accepts (406)
    ├── RendererUnavailable          a format's outside renderer (LibreOffice for PDF) is missing or failed (503)
    ├── MalformedRequest             a request whose meaning is unclear: a header sent twice (400)
    ├── PreconditionRequired         a change that must name the revision it was made from does not (428)
    └── WorkStopped                  work stopped before its end (its client left) (503)

Each error carries a machine-readable ``code`` (the problem type), a one-line
message, and ``extra``: structured facts such as the head version or the hunk report.
"""

from __future__ import annotations

from typing import Any


class RegdraftError(Exception):
    """Base of every error regdraft reports to a user."""

    code = "error"
    title = "Error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra: dict[str, Any] = extra


class InvalidInput(RegdraftError):
    code = "invalid-input"
    title = "Invalid input"


class InvalidText(InvalidInput):
    code = "invalid-text"
    title = "Invalid text"


class InvalidStructure(InvalidInput):
    code = "invalid-structure"
    title = "Provisions cannot be numbered"


class InvalidPatch(InvalidInput):
    code = "invalid-patch"
    title = "Invalid patch text"


class InvalidInstruction(InvalidInput):
    code = "invalid-instruction"
    title = "Invalid amending instruction"


class QuoteNotFound(InvalidInput):
    code = "quote-not-found"
    title = "Quote not found in the response"


class OverBudget(InvalidInput):
    """What a request asks would take more work than one request may do (``limit``)."""

    code = "over-budget"
    title = "Too much work for one request"


class InvalidFile(InvalidInput):
    """A file under drafts/ or amendments/ is wrong; the message starts ``path:line:``."""

    code = "invalid-file"
    title = "Invalid file"

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {problem}", path=path, line=line, problem=problem)


class InvalidFormat(InvalidInput):
    """A file given to ``regdraft import`` cannot be read as its format (malformed,
    hostile, or not a format regdraft reads); ``format`` names the format tried and
    ``where`` says where in the file, when that is known."""

    code = "invalid-format"
    title = "File cannot be imported"

    def __init__(self, problem: str, *, format: str | None = None, where: str | None = None) -> None:
        prefix = f"{format}: " if format else ""
        suffix = f" ({where})" if where else ""
        super().__init__(f"{prefix}{problem}{suffix}", format=format, where=where, problem=problem)


class NotFound(RegdraftError):
    code = "not-found"
    title = "Not found"


class Unauthenticated(RegdraftError):
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(RegdraftError):
    code = "forbidden"
    title = "Not allowed"


class Conflict(RegdraftError):
    code = "conflict"
    title = "Conflict"


class StaleParent(Conflict):
    code = "stale-parent"
    title = "Parent is not the head version"


class AlreadyExists(Conflict):
    code = "already-exists"
    title = "Already exists"


class InvalidTransition(Conflict):
    code = "invalid-transition"
    # One title for every change this refuses (a status, an edit of a stale revision or
    # of a final comment): the detail says which.
    title = "Change not allowed in the current state"


class AmendmentsConflict(Conflict):
    code = "amendments-conflict"
    title = "Amendments conflict"


class PatchDoesNotApply(RegdraftError):
    code = "patch-does-not-apply"
    title = "Patch does not apply"


class NotAcceptable(RegdraftError):
    """Content negotiation found no representation the client accepts; ``acceptable``
    lists the media types that are offered."""

    code = "not-acceptable"
    title = "Not acceptable"


class RendererUnavailable(RegdraftError):
    """A format needs a program outside regdraft (LibreOffice for PDF) that is not
    installed, failed or took too long; the other formats still work."""

    code = "renderer-unavailable"
    title = "Renderer unavailable"


class PreconditionRequired(RegdraftError):
    """A change made from what its writer read (a revision of an amendment) that does not
    say which revision that was (``If-Match``): without it, it could silently undo
    someone else's change made meanwhile."""

    code = "precondition-required"
    title = "Precondition required"


class MalformedRequest(RegdraftError):
    """A request whose meaning is unclear: two ``Authorization`` headers (which is the
    token?). Refused rather than guessed, as one proxy may read the first and another
    the last."""

    code = "malformed-request"
    title = "Malformed request"


class WorkStopped(RegdraftError):
    """Work given up before its end, because nobody wants its result any more."""

    code = "stopped"
    title = "Stopped"
