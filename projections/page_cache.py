"""Register pages kept per projector, and the statements that read them, keyed by what
they depend on (:func:`query_key`)."""

from __future__ import annotations

import os
import threading
import weakref
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diarium.projections.queries import Query
    from diarium.projections.runner import Projector
    from diarium.projections.withholding import Access

PAGE_CACHE_VARIABLE = "DIARIUM_PAGE_CACHE"  # pages kept per projector (process); 0: none
CACHED_PAGE_ROWS = 100  # longer pages are not kept (memory: 128 pages × 100 rows at most)


class PageCache:
    """A bounded map of pages, emptied when full (pages are cheap to read again)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._pages: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        return self._pages.get(key)

    def put(self, key: Any, page: Any) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            if len(self._pages) >= self.maxsize:
                self._pages.clear()
            self._pages[key] = page

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_PAGE_CACHES: weakref.WeakKeyDictionary[Any, PageCache] = weakref.WeakKeyDictionary()
_PAGE_CACHES_LOCK = threading.Lock()


def page_cache(projector: Projector) -> PageCache:
    """The pages read through ``projector``, by (query, generation, position, day, reader's
    secret access). A generation's rows change only with its position (rows and position
    commit together; a rebuild makes a new generation), so a page read at a position is the
    page at that position for as long as the position stays; withholding, which depends on
    the reader, runs on every request."""
    with _PAGE_CACHES_LOCK:
        cache = _PAGE_CACHES.get(projector)
        if cache is None:
            size = int(os.environ.get(PAGE_CACHE_VARIABLE, "128"))
            cache = _PAGE_CACHES[projector] = PageCache(size)
        return cache


def query_key(query: Query, today: date, restricted: Access, *scope: Any) -> Any:
    """What a page (or its statement) depends on, within ``scope`` (the generation and
    position, or the table), as a hashable key; None for an unhashable filter value (never
    cached)."""
    key = (query.listing.name, *scope, tuple(query.filters.items()), query.sort, query.order,
           query.limit, query.cursor, today, restricted)
    try:
        hash(key)
    except TypeError:
        return None
    return key


# each page's (statement, columns read, full-text plan) by query, table and day
PAGE_STATEMENTS = PageCache(512)
