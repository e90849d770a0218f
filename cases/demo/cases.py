"""A realistic demo: cases of Regionstyrelsen in Region Norrbotten, autumn 2020 (seed 002)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from diarium.cases.application import Diarium
from diarium.cases.demo.meetings import PARAGRAPHS, load_bodies, load_meeting_demo
from diarium.domain.actor import Actor
from diarium.domain.case.decisions import RecordDecision, RecordProposal
from diarium.domain.case.documents import RegisterDocument
from diarium.domain.case.incoming_referrals import (
    AnswerIncomingReferral,
    ExtendIncomingReferral,
    ReceiveIncomingReferral,
)
from diarium.domain.case.lifecycle import CancelCase, CloseCase, RegisterCase
from diarium.domain.case.referrals import RegisterReferralAnswer, SendReferral
from diarium.domain.case.terms import DecisionKind, Direction

REGISTRAR = Actor("demo-registrator", "demo")
MEETING = date(2020, 10, 14)

# dnr, title, registered on, paragraph of the 2020-10-14 protocol (None: not yet decided)
CASES: list[tuple[str, str, date, int | None]] = [
    ("1310-2020", "Delegationsbeslut anmälda till regionstyrelsen 2020-10-14",
     date(2020, 9, 17), 163),
    ("1334-2020", "Meddelanden till regionstyrelsen 2020-10-14", date(2020, 9, 21), 164),
    ("119-2020", "Regiondirektörens rapport", date(2020, 1, 20), 166),
    ("1326-2020", "Delårsrapport Region Norrbotten augusti 2020", date(2020, 9, 18), 167),
    ("411-2020", "Strategisk plan 2021-2023", date(2020, 3, 10), 169),
    ("1338-2020", "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet",
     date(2020, 9, 22), 170),
    ("1359-2020", "Förstudie av fysisk samlokalisering av verksamheter i Bodenområdet",
     date(2020, 9, 24), 171),
    ("1161-2020", "Kartläggning av Länsservice säljverksamhet", date(2020, 7, 2), 174),
    ("972-2020", "Införande av politikerportal", date(2020, 6, 1), 176),
    ("1242-2020", "Riktlinje för jämställdhetsintegrering", date(2020, 8, 25), 179),
    ("381-2020", "Revisionsrapport Regionens fordonshantering", date(2020, 2, 28), None),
    ("1320-2020", "Översyn av reglementen för politiska organ i Region Norrbotten",
     date(2020, 9, 15), None),
    ("1355-2020", "Fullmakt att underteckna ansökningar om utbetalning av projektmedel, "
     "Norrbottens elnätsanalys", date(2020, 9, 23), None),
    ("1400-2020", "Felregistrerad handling (dubblett)", date(2020, 10, 1), None),
    ("943-2020", "Remiss Reglering av undersköterskeyrket – kompetenskrav och "
     "övergångsbestämmelser", date(2020, 6, 26), None),
]


# the steps load_demo reports to its ``step`` (its progress): bodies, each case, the rest
DEMO_STEPS = len(CASES) + 4


def load_demo(diarium: Diarium, step: Callable[[], None] = lambda: None) -> list[str]:
    """Record the demo cases; returns their dnrs. Refuses to load twice (dnrs are taken).
    ``step`` is called after each of its :data:`DEMO_STEPS` steps."""
    loaded = []
    load_bodies(diarium)  # a case's responsible body is set up first
    step()
    for dnr, title, registered_on, paragraph in CASES:
        diarium.register_case(
            RegisterCase(
                title=title, responsible_body="RS", registered_on=registered_on, dnr=dnr,
                unit="Regional utveckling" if "elnät" in title else "Regiondirektörens stab",
                officer="Linda Ylivainio" if paragraph else None,
            ),
            REGISTRAR,
        )
        loaded.append(dnr)
        if paragraph is not None:
            _decide(diarium, dnr, title, registered_on, paragraph)
        step()
    _in_progress(diarium)
    step()
    load_meeting_demo(diarium)
    step()
    _close_decided(diarium)
    step()
    return loaded


def _decide(diarium: Diarium, dnr: str, title: str, registered_on: date, paragraph: int) -> None:
    memo = RegisterDocument(dnr, Direction.DRAWN_UP, registered_on, f"Tjänsteskrivelse: {title}")
    text = (f"Tjänsteskrivelse\n\nÄrende: {title}\nDiarienummer: {dnr}\n\nFörslag till "
            f"beslut\nRegionstyrelsen beslutar i ärendet {title.lower()}.\n")
    with diarium.files.staged(io.BytesIO(text.encode())) as staged:  # the memo with its file
        diarium.files.attach(lambda file: replace(memo, file=file), staged,
                             claimed_media_type="text/plain",
                             file_name=f"tjansteskrivelse-{dnr}.txt", by=REGISTRAR)
    diarium.handle(
        RecordProposal(
            dnr,
            points=[f"Regionstyrelsen beslutar i ärendet {title.lower()}."],
            summary=f"Förslag till beslut: {title}.",
            proposed_on=registered_on,
            proposed_by="Regiondirektören",
        ),
        REGISTRAR,
    )
    # the decision, its extracts and the closing come from the meeting (cases/demo/meetings.py)


def _in_progress(diarium: Diarium) -> None:
    diarium.handle(
        RegisterDocument(
            "381-2020",
            Direction.INCOMING,
            date(2020, 2, 28),
            "Revisionsrapport Regionens fordonshantering",
            "Regionrevisionen",
        ),
        REGISTRAR,
    )
    diarium.handle(
        SendReferral(
            "1320-2020",
            recipients=[
                "Hälso- och sjukvårdsnämnden",
                "Regionala utvecklingsnämnden",
                "Patientnämnden",
            ],
            answer_by=date(2020, 11, 30),
            sent_on=date(2020, 10, 1),
        ),
        REGISTRAR,
    )
    diarium.handle(
        RegisterReferralAnswer("1320-2020", 1, "Patientnämnden", date(2020, 10, 28)), REGISTRAR
    )
    diarium.handle(
        RecordDecision(
            "1355-2020",
            kind=DecisionKind.DECIDED,
            text="Fullmakt till regionala utvecklingsdirektören att underteckna ansökningar.",
            decided_on=date(2020, 9, 25),
            delegate="Regiondirektören",
            delegation_point="1.4",  # RS's delegation order (cases/demo/meetings.py)
        ),
        REGISTRAR,
    )
    _incoming_referral(diarium)
    diarium.handle(CancelCase("1400-2020", "Registrerad två gånger", date(2020, 10, 2)), REGISTRAR)


def _incoming_referral(diarium: Diarium) -> None:
    """Seed 002 § 181: a ministry's referral the region answers, after an extension (anstånd)
    to 15 October; the other dates are illustrative."""
    dnr = "943-2020"
    title = "Remiss: Reglering av undersköterskeyrket – kompetenskrav och övergångsbestämmelser"
    letter = (
        diarium.handle(
            RegisterDocument(
                dnr,
                Direction.INCOMING,
                date(2020, 6, 26),
                f"{title} (Ds 2020:15)",
                "Socialdepartementet",
            ),
            REGISTRAR,
        )
        .case.documents[-1]
        .number
    )
    diarium.handle(
        ReceiveIncomingReferral(
            dnr, "Socialdepartementet", answer_by=date(2020, 10, 1), document_number=letter
        ),
        REGISTRAR,
    )
    diarium.handle(ExtendIncomingReferral(dnr, 1, date(2020, 10, 15), date(2020, 9, 1)), REGISTRAR)
    answer = diarium.handle(RegisterDocument(dnr, Direction.OUTGOING, date(2020, 10, 15),
                                  "Yttrande över promemorian Ds 2020:15", "Socialdepartementet"),
        REGISTRAR,
    ).case.documents[-1].number
    diarium.handle(AnswerIncomingReferral(dnr, 1, answer), REGISTRAR)


def _close_decided(diarium: Diarium) -> None:
    """Cases decided (not noted, not sent on to the council) are closed after legal force."""
    for _, _, dnr, kind, _, _, _ in PARAGRAPHS:
        if dnr is not None and kind is DecisionKind.DECIDED:
            diarium.handle(CloseCase(dnr, date(2020, 11, 16)), REGISTRAR)
