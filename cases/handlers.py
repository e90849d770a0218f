"""Methods marked as the handlers of classes (:func:`handles`): the services' handlers of
commands, from which ``Diarium`` makes its one table (:func:`bound_handlers`), and the
projections' handlers of events (projections/registers/base.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

Method = TypeVar("Method", bound=Callable[..., Any])


def handles(*classes: type) -> Callable[[Method], Method]:
    """Mark a method as the handler of ``classes`` (commands, or events)."""

    def decorate(method: Method) -> Method:
        method._handles = classes  # type: ignore[attr-defined]
        return method

    return decorate


def marked(cls: type, *, inherited: bool = True) -> dict[type, Callable[..., Any]]:
    """Class handled → the method of ``cls`` or its bases marked to handle it (a subclass's
    own mark wins); of ``cls`` alone when not ``inherited``."""
    return {
        handled: method
        for klass in (reversed(cls.__mro__) if inherited else (cls,))
        for method in vars(klass).values()
        for handled in getattr(method, "_handles", ())
    }


def bound_handlers(*services: object) -> dict[type, Callable[..., Any]]:
    """Command type → the method of ``services`` marked to handle it, bound to its service;
    where two services mark one command, the later one's (e.g. the decision route's own
    handler over the Case's deciders)."""
    return {
        handled: method.__get__(service)
        for service in services
        for handled, method in marked(type(service)).items()
    }
