"""The common bodies the tests register cases for: a case's responsible body and a body's
decision must name a body that is set up (rule ``body-unknown``).

A module whose tests register cases for them takes the fixture as its ``diarium``::

    from tests.bodies_support import diarium_with_bodies  # noqa: F401 (the fixture)
"""

from __future__ import annotations

from datetime import date

import pytest

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.meeting.commands import AddDelegationPoint, EstablishBody
from diarium.domain.meeting.terms import BodyKind

# code, name, kind, parent
BODIES: tuple[tuple[str, str, BodyKind, str | None], ...] = (
    ("RF", "Regionfullmäktige", BodyKind.COUNCIL, None),
    ("RS", "Regionstyrelsen", BodyKind.BOARD, "RF"),
    ("HSN", "Hälso- och sjukvårdsnämnden", BodyKind.COMMITTEE, "RF"),
    ("SN", "Socialnämnden", BodyKind.COMMITTEE, "RF"),
    ("RUN", "Regionala utvecklingsnämnden", BodyKind.COMMITTEE, "RF"),
    ("IFN", "Individ- och familjenämnden", BodyKind.COMMITTEE, "RF"),
)


SETUP_EVENTS = 2 * len(BODIES)  # the log positions ``establish_bodies`` takes (from 1)


def establish_bodies(diarium: Diarium) -> Diarium:
    """Set up :data:`BODIES` (established 2000-01-01), each with point 2.3.8 of its delegation
    order (Regiondirektören, seed 000)."""
    by, since = Actor("tests"), date(2000, 1, 1)
    for code, name, kind, parent in BODIES:
        diarium.handle(EstablishBody(code, name, kind, parent, established_on=since), by)
    for code, *_ in BODIES:
        diarium.handle(AddDelegationPoint(
            code, number="2.3.8", case_type="Yttranden över remisser",
            delegate="Regiondirektören", decided_on=since,
        ), by)
    return diarium


@pytest.fixture(name="diarium")
def diarium_with_bodies(diarium: Diarium) -> Diarium:
    """The application service on an empty store, with :data:`BODIES` set up."""
    return establish_bodies(diarium)
