"""OParl external lists: the items in a stable order (their first log position), filtered by
``created_since``/``created_until``/``modified_since``/``modified_until``, in pages of
``limit`` (``page`` from 1), with ``pagination`` and ``links`` (first, prev, next, last).
A bad parameter is a 400 ``invalid-query`` problem naming it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, jsonify, request

from diarium.web.routes.query import Query

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
PARAMETERS = {"page", "limit", *FILTERS}


@dataclass(frozen=True)
class Window:
    """The parsed parameters of a list request."""

    page: int
    limit: int
    bounds: dict[str, datetime]

    def keeps(self, created: datetime | None, modified: datetime | None) -> bool:
        """Whether an item with these times passes the filters."""
        times = {"created": created, "modified": modified}
        for name, bound in self.bounds.items():
            field, side = name.split("_")
            moment = times[field]
            if moment is None or (moment < bound if side == "since" else moment > bound):
                return False
        return True


def window() -> Window:
    """The list parameters of this request (raises ``InvalidQuery`` naming the bad ones)."""
    query = Query(PARAMETERS)
    page = query.integer("page", 1, minimum=1, maximum=10**9)
    limit = query.integer("limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    bounds = {}
    for name in FILTERS:
        moment = query.moment(name, end_of_day=name.endswith("until"))
        if moment is not None:
            bounds[name] = moment
    query.check()
    return Window(page or 1, limit or DEFAULT_LIMIT, bounds)


def external_list(
    items: Sequence[T], times: Callable[[T], tuple[datetime | None, datetime | None]],
    render: Callable[[T], dict[str, Any]], prefetch: Callable[[list[T]], None] | None = None,
) -> Response:
    """One page of ``items`` (already in their stable order) as an OParl external list;
    ``prefetch`` is given the page's items before they are rendered."""
    shown = window()
    kept = [item for item in items if shown.keeps(*times(item))] if shown.bounds else items
    pages = max(1, -(-len(kept) // shown.limit))
    start = (shown.page - 1) * shown.limit
    links = {"first": _page_url(1), "last": _page_url(pages)}
    if shown.page > 1:
        links["prev"] = _page_url(min(shown.page - 1, pages))
    if shown.page < pages:
        links["next"] = _page_url(shown.page + 1)
    return jsonify({
        "data": [render(item) for item in _page(kept[start:start + shown.limit], prefetch)],
        "pagination": {"totalElements": len(kept), "elementsPerPage": shown.limit,
                       "currentPage": shown.page, "totalPages": pages},
        "links": links,
    })


def _page(items: Sequence[T], prefetch: Callable[[list[T]], None] | None) -> list[T]:
    """The page's items, prefetched."""
    shown = list(items)
    if prefetch is not None and shown:
        prefetch(shown)
    return shown


def _page_url(page: int) -> str:
    """This list's URL with its parameters and ``page``."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    args["page"] = str(page)
    return f"{request.base_url}?{urlencode(args)}"
