"""Adapters between the store's queries and the widgets (the widgets hold no SQL)."""

from __future__ import annotations

from ..store import queries
from ..store.db import Store


class StoreQueueSource:
    """The queue widget's rows, read page by page from the store."""

    def __init__(self, store: Store, flt: queries.QueueFilter | None = None) -> None:
        self.store = store
        self.filter = flt or queries.QueueFilter()

    def count(self) -> int:
        return queries.queue_count(self.store, self.filter)

    def page(self, offset: int, limit: int):
        return queries.queue_page(self.store, self.filter, offset, limit)

    def page_from_end(self, offset: int, limit: int):
        return queries.queue_page_from_end(self.store, self.filter, offset, limit)
