"""Command path: case lifecycles per second through the application service, beside the raw
eventsourcing library saving equivalent aggregates (same backend, same process, same run).

A lifecycle is a registration plus five more events (document, officer, proposal, decision,
closing), each a separate command: load, decide, save. The raw baseline does the same with a
plain library aggregate: create and save, then five times get, trigger, save.

    python -m bench.command_path --lifecycles 300 --backend sqlite --backend postgres
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.common import machine, set_up_bodies, store
from diarium.cases.application import Diarium
from diarium.cases.store.persistence import eventsourcing_env
from diarium.domain.actor import Actor
from diarium.domain.case.decisions import RecordDecision, RecordProposal
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.lifecycle import AssignOfficer, CloseCase, RegisterCase
from diarium.domain.case.terms import DecisionKind, Direction
from diarium.domain.migration import Migration

BY = Actor("bench")
DAY = date(2020, 10, 14)
HISTORICAL = Migration("bench")  # decisions without a meeting: § unique per year


class RawCase(Aggregate):
    """A plain library aggregate with the same number and size of events."""

    def __init__(self, dnr: str, title: str, responsible_body: str) -> None:
        self.dnr, self.title, self.body = dnr, title, responsible_body
        self.log: list[Any] = []

    @event("Recorded")
    def record(self, kind: str, text: str, day: str) -> None:
        self.log.append((kind, text, day))


class RawApp(Application):
    name = "raw"


def diarium_lifecycles(url: str, count: int) -> float:
    diarium = Diarium(url, create_tables=True)
    set_up_bodies(diarium)
    started = time.perf_counter()
    for i in range(count):
        dnr = diarium.register_case(
            RegisterCase(f"Ärende nummer {i} om samlokalisering", "RS", registered_on=DAY),
            BY,
        ).dnr
        diarium.handle(
            RegisterDocument(dnr, Direction.INCOMING, DAY, "Skrivelse", "Luleå kommun"), BY
        )
        diarium.handle(AssignOfficer(dnr, "Linda", DAY), BY)
        diarium.handle(RecordProposal(dnr, ["Godkänna"], "Sammanfattning", DAY), BY)
        diarium.handle(RecordDecision(
            dnr, DecisionKind.DECIDED, "Beslut", DAY, "RS", i + 1, historical=HISTORICAL
        ), BY)
        diarium.handle(CloseCase(dnr, DAY), BY)
    elapsed = time.perf_counter() - started
    diarium.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return count / elapsed


def raw_lifecycles(url: str, count: int) -> float:
    app = RawApp(env=eventsourcing_env(url, create_tables=True))
    steps = [
        ("document", "Skrivelse"),
        ("officer", "Linda"),
        ("proposal", "Godkänna"),
        ("decision", "Beslut"),
        ("closed", ""),
    ]
    started = time.perf_counter()
    for i in range(count):
        case = RawCase(f"{i}-2020", f"Ärende nummer {i} om samlokalisering", "RS")
        app.save(case)
        for kind, text in steps:
            case = app.repository.get(case.id)
            case.record(kind, text, DAY.isoformat())
            app.save(case)
    elapsed = time.perf_counter() - started
    app.recorder.datastore.engine.dispose()  # type: ignore[attr-defined]
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifecycles", type=int, default=300)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print("| backend | diarium lifecycles/s | raw library lifecycles/s | ratio (goal ≥ 0.7) |")
    print("|---|---:|---:|---:|")
    for backend in args.backend or ["sqlite"]:
        with store(backend) as url:
            raw = raw_lifecycles(url, args.lifecycles)
            ours = diarium_lifecycles(url, args.lifecycles)
        print(f"| {backend} | {ours:.1f} | {raw:.1f} | {ours / raw:.2f} |", flush=True)


if __name__ == "__main__":
    main()
