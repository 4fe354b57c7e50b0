"""Full-text search across every customer's history (or one customer's)."""

from __future__ import annotations

from typing import Callable

from ..core.errors import NotFound, Refused
from ..store import queries
from ..store.search import SearchResults
from ..store.search import search as store_search
from .session import Session

MAX_LIMIT = 500
SCREEN_BUDGET = 0.5  # seconds: a very common word must not keep the screen waiting


def search(session: Session, query: str, *, limit: int = 50, customer_id: str | None = None,
           budget: float | None = None, should_stop: Callable[[], bool] | None = None) -> SearchResults:
    """Events matching *query*, best first; *budget* seconds at most (None: the complete ranking).

    Never raises on what the user typed; an unknown customer is NotFound.
    """
    if limit < 1:
        raise Refused(f"limit: expected a positive number, got {limit}")
    if customer_id is not None and queries.get_customer(session.store, customer_id) is None:
        raise NotFound(f"no customer {customer_id!r} in {session.store.path}")
    return store_search(session.store, query, limit=min(limit, MAX_LIMIT), customer_id=customer_id, budget=budget,
                        should_stop=should_stop)
