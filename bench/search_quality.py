"""Recall and precision of the diary's full-text search (``q=``) on fixed Swedish queries.

    .venv/bin/python bench/search_quality.py [--backend sqlite --backend postgres]
        [--cases 240] [--per-query]

Two corpora: the demo (cases/demo: real Region Norrbotten cases) with gold sets judged by
hand (bench/search_quality_demo.json), and a generated corpus (this file's :func:`generate`,
the words of bench/registers.py) whose gold sets are predicates over what each case was
generated from (its kind, topic, place, counterparts, documents, decision), never over its
text. Every query is run through the register (``Registers.page``, as an auditor who may
read everything) and compared with its gold set; "before" is the search this replaced (every
query word a prefix of a word of the title, public title or a document's description;
diacritics folded), worked out in Python over the same cases. docs/search.md has the table;
tests/test_search_quality.py holds the figures above a floor.
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.registers import COUNTERPARTS, KINDS, PLACES, TOPICS
from diarium.cases.application import Diarium
from diarium.cases.demo.cases import load_demo
from diarium.domain.actor import Actor
from diarium.domain.case.decisions import RecordDecision
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.incoming_referrals import ReceiveIncomingReferral
from diarium.domain.case.lifecycle import RegisterCase
from diarium.domain.case.terms import DecisionKind, Direction
from diarium.projections.listings import LISTINGS
from diarium.projections.queries import Query, Registers
from diarium.projections.runner import Projector

REGISTRAR = Actor("registrator", "search-quality")
AUDITOR = Actor("revisor", "search-quality", roles=("auditor",))
TODAY = date(2024, 6, 1)
CASES = 240  # the generated corpus's size in docs/search.md and the test

# -- the demo: gold sets judged by hand ------------------------------------------------------

JUDGED = Path(__file__).with_name("search_quality_demo.json")  # query -> dnrs of cases/demo
DEMO_QUERIES: list[tuple[str, set[str]]] = [
    (query, set(dnrs)) for query, dnrs in json.loads(JUDGED.read_text(encoding="utf-8")).items()
]

# -- the generated corpus --------------------------------------------------------------------

DOCUMENTS = {  # what a document is (its gold-set name) -> its description
    "skrivelse": "Skrivelse om {t}",
    "tjänsteskrivelse": "Tjänsteskrivelse: {k} {t}",
    "yttrande": "Yttrande över {t}",
    "utdrag": "Protokollsutdrag om {t}",
    "kallelse": "Kallelse till möte om {t}",
    "underlag": "Underlag och bilagor: {t}",
    "beslutsunderlag": "Beslutsunderlag {k} {t} med ekonomisk konsekvensbeskrivning",
}
VÅRD = {"ambulanssjukvård", "digitala vårdmöten", "kompetensförsörjning inom vården",
        "psykiatrisk vård", "primärvårdens tillgänglighet", "tandvårdstaxa"}
FÖRSÖRJNING = {"läkemedelsförsörjning", "kompetensförsörjning inom vården",
               "lokalförsörjningsplan"}


@dataclass
class Made:
    """What a generated case was made from (the gold sets' facts)."""

    dnr: str
    kind: str
    topic: str
    place: str
    documents: list[str] = field(default_factory=list)  # DOCUMENTS keys
    counterparts: set[str] = field(default_factory=set)
    referral: bool = False  # an incoming referral (remiss) was received
    decided: bool = False

    def at(self, town: str) -> bool:
        return town in self.place or f"{town} kommun" in self.counterparts


GENERATED_QUERIES: list[tuple[str, Callable[[Made], bool]]] = [
    ("sjukvård", lambda c: c.topic == "ambulanssjukvård"),
    ("vård", lambda c: c.topic in VÅRD),
    ("vården", lambda c: c.topic in VÅRD),
    ("remisser", lambda c: c.referral or "remiss" in c.kind),
    ("avtalen", lambda c: c.kind == "Avtal om"),
    ("upphandlingar", lambda c: c.kind == "Upphandling av"),
    ("rapport", lambda c: "rapport" in c.kind),
    ("revisionsrapporter", lambda c: c.kind == "Revisionsrapport om"),
    ("strategier", lambda c: "strategi" in c.topic),
    ("planer", lambda c: c.topic.endswith("plan") or c.kind == "Handlingsplan för"),
    ("stöd", lambda c: c.topic in {"kulturstöd", "näringslivsstöd"}),
    ("försörjning", lambda c: c.topic in FÖRSÖRJNING),
    ("läkemedel", lambda c: c.topic == "läkemedelsförsörjning"),
    ("tandvård", lambda c: c.topic == "tandvårdstaxa"),
    ("psykiatri", lambda c: c.topic == "psykiatrisk vård"),
    ("lager", lambda c: c.topic == "beredskapslager"),
    ("it-säkerhet", lambda c: c.topic == "IT-säkerhet"),
    ("motioner", lambda c: c.kind == "Motion om"),
    ("utredningar", lambda c: c.kind == "Utredning av"),
    ("fullmakter", lambda c: c.kind == "Fullmakt för"),
    ("förslag", lambda c: c.kind == "Medborgarförslag om"),
    ("medel", lambda c: c.kind == "Ansökan om medel för"),
    ("kommunen", lambda c: any(p.endswith(" kommun") for p in c.counterparts)),
    ("Kiruna", lambda c: c.at("Kiruna")),
    ("Luleå", lambda c: c.at("Luleå")),
    ("Gällivare", lambda c: c.at("Gällivare")),
    ("trafik", lambda c: "trafik" in c.topic or "Trafikverket" in c.counterparts),
    ("Socialstyrelsen", lambda c: "Socialstyrelsen" in c.counterparts),
    ("länsstyrelsen", lambda c: "Länsstyrelsen i Norrbottens län" in c.counterparts),
    ("Försäkringskassan", lambda c: "Försäkringskassan" in c.counterparts),
    ("yttranden", lambda c: "remiss" in c.kind or "yttrande" in c.documents),
    ("skrivelser", lambda c: bool({"skrivelse", "tjänsteskrivelse"} & set(c.documents))),
    ("beslut", lambda c: c.decided or "beslutsunderlag" in c.documents),
    ("hjälpmedel Arjeplog", lambda c: c.topic == "hjälpmedel" and c.at("Arjeplog")),
    ("vårdmöte Piteå", lambda c: c.topic == "digitala vårdmöten" and c.at("Piteå")),
    ("politikerportalen Boden", lambda c: c.topic == "politikerportal" and c.at("Boden")),
    ("ambulanssjukvård Kiruna", lambda c: c.topic == "ambulanssjukvård" and c.at("Kiruna")),
]


def generate(diarium: Diarium, count: int = CASES, seed: int = 15) -> list[Made]:
    """``count`` cases of RS registered in 2022-2023 through the application's commands (the
    bodies must exist), each with documents, and some with an incoming referral or a
    decision; returns what each was made from."""
    rnd = random.Random(seed)
    made = []
    for index in range(count):
        day = date(2022, 1, 3) + timedelta(days=index * 700 // count)
        kind, topic, place = rnd.choice(KINDS), rnd.choice(TOPICS), rnd.choice(PLACES)
        title = f"{kind} {topic} {place}".strip()
        dnr = diarium.register_case(
            RegisterCase(title=title, responsible_body="RS", registered_on=day), REGISTRAR
        ).dnr
        case = Made(dnr, kind, topic, place)
        if "remiss" in kind:  # the referral letter, from its sender
            sender = rnd.choice(COUNTERPARTS)
            _document(diarium, case, day, Direction.INCOMING, f"Remiss om {topic}", sender)
            diarium.handle(ReceiveIncomingReferral(
                dnr, sender, answer_by=day + timedelta(days=60), document_number=1,
            ), REGISTRAR)
            case.referral = True
        for _ in range(rnd.randint(1, 3)):
            name = rnd.choice(list(DOCUMENTS))
            description = DOCUMENTS[name].format(t=topic, k=kind.lower())
            direction = rnd.choice(list(Direction))
            counterpart = None if direction is Direction.DRAWN_UP else rnd.choice(COUNTERPARTS)
            _document(diarium, case, day, direction, description, counterpart)
            case.documents.append(name)
        if rnd.random() < 0.4:
            diarium.handle(RecordDecision(
                dnr, kind=DecisionKind.DECIDED, decided_on=day + timedelta(days=3),
                text=f"Beslutar i ärendet {title.lower()} enligt förslaget.",
                delegate="Regiondirektören", delegation_point="1.4",  # the demo RS order
            ), REGISTRAR)
            case.decided = True
        made.append(case)
    return made


def _document(diarium: Diarium, case: Made, day: date, direction: Direction,
              description: str, counterpart: str | None) -> None:
    diarium.handle(RegisterDocument(case.dnr, direction, day, description, counterpart),
                   REGISTRAR)
    if counterpart is not None:
        case.counterparts.add(counterpart)


# -- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    query: str
    relevant: frozenset[str]
    found: frozenset[str]

    @property
    def hits(self) -> int:
        return len(self.relevant & self.found)


def found_by(registers: Registers, query: str) -> set[str]:
    """The dnrs the diary's ``q=query`` finds, every page."""
    parsed = {"q": LISTINGS["diary"].filter_map["q"].parse(query)}
    rows = registers.rows(Query(LISTINGS["diary"], parsed, "registered", "desc", 500, None),
                          TODAY, AUDITOR)
    return {row["dnr"] for row in rows}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                   if not unicodedata.combining(c))


def before(texts: dict[str, str], query: str) -> set[str]:
    """What the replaced search found: every query word a prefix of some word of the case's
    title, public title or documents' descriptions (``texts``), diacritics folded."""
    words = re.findall(r"\w+", _fold(query))
    return {
        dnr for dnr, text in texts.items()
        if all(any(w.startswith(q) for w in re.findall(r"\w+", _fold(text))) for q in words)
    }


def old_texts(registers: Registers, dnrs: set[str]) -> dict[str, str]:
    """The text the replaced search indexed, of the cases ``dnrs``."""
    projector = registers.projector
    generation, _ = projector.active_generation("diary")
    table = projector.projections["diary"].table("case", generation)
    with registers.engine.connect() as connection:
        rows = connection.execute(
            table.select().with_only_columns(
                table.c.dnr, table.c.title, table.c.public_title, table.c.document_text)
        ).all()
    return {r.dnr: " ".join(filter(None, r[1:])) for r in rows if r.dnr in dnrs}


def measure(registers: Registers, demo: set[str], made: list[Made]) -> dict[str, Any]:
    """Per corpus, every query measured now and before."""
    generated = {c.dnr for c in made}
    corpora: dict[str, list[tuple[str, set[str]]]] = {
        "demo": DEMO_QUERIES,
        "generated": [(q, {c.dnr for c in made if relevant(c)}) for q, relevant in
                      GENERATED_QUERIES],
    }
    scope = {"demo": demo, "generated": generated}
    results: dict[str, Any] = {}
    for corpus, queries in corpora.items():
        texts = old_texts(registers, scope[corpus])
        results[corpus] = {
            "now": [Measured(q, frozenset(r), frozenset(found_by(registers, q) & scope[corpus]))
                    for q, r in queries],
            "before": [Measured(q, frozenset(r), frozenset(before(texts, q)))
                       for q, r in queries],
        }
    return results


def summary(measured: list[Measured]) -> dict[str, float]:
    """Micro (over all answers) and macro (mean per query) precision and recall; a query
    that finds nothing counts precision 1 in the macro mean."""
    hits = sum(m.hits for m in measured)
    found = sum(len(m.found) for m in measured)
    relevant = sum(len(m.relevant) for m in measured)
    return {
        "precision": hits / found if found else 1.0,
        "recall": hits / relevant if relevant else 1.0,
        "macro_precision": sum(m.hits / len(m.found) if m.found else 1.0
                               for m in measured) / len(measured),
        "macro_recall": sum(m.hits / len(m.relevant) if m.relevant else 1.0
                            for m in measured) / len(measured),
    }


def load(url: str, cases: int = CASES) -> tuple[Registers, set[str], list[Made]]:
    """A store at ``url`` with the demo and a generated corpus, projected."""
    diarium = Diarium(url, create_tables=True, today=lambda: TODAY)
    demo = set(load_demo(diarium))
    made = generate(diarium, cases)
    projector = Projector(diarium)
    projector.catch_up()
    return Registers(projector), demo, made


def report(results: dict[str, dict[str, Any]], per_query: bool) -> str:
    lines = ["| backend | corpus | queries | precision before | recall before | "
             "precision now | recall now | macro P now | macro R now |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for backend, corpora in results.items():
        for corpus, both in corpora.items():
            old, new = summary(both["before"]), summary(both["now"])
            lines.append(
                f"| {backend} | {corpus} | {len(both['now'])} | {old['precision']:.2f} | "
                f"{old['recall']:.2f} | **{new['precision']:.2f}** | **{new['recall']:.2f}** | "
                f"{new['macro_precision']:.2f} | {new['macro_recall']:.2f} |"
            )
    if per_query:
        backend, corpora = next(iter(results.items()))
        lines += ["", f"Per query ({backend}): relevant, found before / now, hits before / now",
                  "", "| corpus | query | relevant | found before | hits before | found now | "
                  "hits now | P now | R now |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for corpus, both in corpora.items():
            for old, new in zip(both["before"], both["now"], strict=True):
                precision = f"{new.hits / len(new.found):.2f}" if new.found else "–"
                recall = f"{new.hits / len(new.relevant):.2f}" if new.relevant else "–"
                lines.append(
                    f"| {corpus} | {new.query} | {len(new.relevant)} | {len(old.found)} | "
                    f"{old.hits} | {len(new.found)} | {new.hits} | {precision} | {recall} |"
                )
    return "\n".join(lines)


def main() -> None:
    import argparse

    from bench.common import store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--per-query", action="store_true")
    args = parser.parse_args()
    results = {}
    for backend in args.backend or ["sqlite"]:
        with store(backend) as url:
            registers, demo, made = load(url, args.cases)
            results[backend] = measure(registers, demo, made)
            registers.projector.engine.dispose()
    print(report(results, args.per_query))


if __name__ == "__main__":
    main()
