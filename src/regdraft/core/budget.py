"""A budget of work for what one request asks, spent at checkpoints inside the long
loops (making amending instructions: each instruction tried costs the length of the
text it is tried on).

The loops stay pure and know nothing of requests: they call :func:`spend`, which does
nothing unless the caller runs them inside :func:`limited`. Then spending past the
limit raises :class:`OverBudget` (the request asked for too much: a 422), and spending
after ``stopped()`` says so raises :class:`WorkStopped` (its client has gone, say), so
that a thread no longer wanted stops at its next checkpoint instead of running on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from regdraft.core.errors import OverBudget, WorkStopped


@dataclass
class Budget:
    what: str
    """What is being made, for the message: "amending instructions"."""
    limit: int
    stopped: Callable[[], bool] = lambda: False
    spent: int = 0


_CURRENT: ContextVar[Budget | None] = ContextVar("regdraft_budget", default=None)


@contextmanager
def limited(what: str, limit: int, stopped: Callable[[], bool] = lambda: False) -> Iterator[Budget]:
    budget = Budget(what, limit, stopped)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def spend(cost: int) -> None:
    budget = _CURRENT.get()
    if budget is None:
        return
    budget.spent += cost
    if budget.stopped():
        raise WorkStopped(f"making {budget.what} was stopped: the request is no longer wanted")
    if budget.spent > budget.limit:
        raise OverBudget(f"making {budget.what} for this comparison takes more work than one request may do "
                         f"(more than {budget.limit} characters read): ask for the redline instead, or compare "
                         f"fewer changes at a time", limit=budget.limit)
