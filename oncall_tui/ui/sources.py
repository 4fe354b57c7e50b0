"""Adapters between the store's queries and the widgets (the widgets hold no SQL)."""

from __future__ import annotations

from ..store import queries
from ..store.db import Store


class StoreQueueSource:
    """The queue widget's rows, read page by page from the store."""

    def __init__(self, store: Store, flt: queries.QueueFilter | None = None) -> None:
        self.store = store
        self.filter = flt or queries.QueueFilter()
        self._bands: tuple[int, int, int] | None = None

    def count(self) -> int:
        if self.filter.view == "all" and not self.filter.text:
            # The whole queue is the sum of its heat bands: one scan of the queue
            # index gives both the row count and the header's hot/warm/cool.
            self._bands = queries.queue_bands(self.store)
            return sum(self._bands)
        return queries.queue_count(self.store, self.filter)

    def bands(self) -> tuple[int, int, int]:
        """Hot, warm and cool open cases (reusing the last count of the whole queue, once)."""
        bands, self._bands = self._bands, None
        return bands if bands is not None else queries.queue_bands(self.store)

    def page(self, offset: int, limit: int):
        return queries.queue_page(self.store, self.filter, offset, limit)

    def page_from_end(self, offset: int, limit: int):
        return queries.queue_page_from_end(self.store, self.filter, offset, limit)
