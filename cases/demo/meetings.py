"""The demo's bodies and the Regionstyrelsen meeting of 14 October 2020 (seed 002, §§ 160-179),
recorded through the application service as a secretary would: agenda, attendance,
paragraphs with motions, procedure, reservations, conflicts of interest, protocol notes,
attachments and extract recipients; then adjustment, posting, a certified correction and
the extracts sent. The demo cases (cases/demo/cases.py) get their decisions from here."""

from __future__ import annotations

from datetime import date

from diarium.cases.application import Diarium
from diarium.domain.actor import Actor
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting import commands as mc
from diarium.domain.meeting.terms import (
    AgendaItemKind,
    BodyKind,
    Capacity,
    MemberRole,
    Position,
    Vote,
)

SECRETARY = Actor("demo-sekreterare", "demo")
ADMIN = Actor("demo-admin", "demo")
MEETING = date(2020, 10, 14)
CHAIR = "Kenneth Backgård"
ADJUSTER = "Glenn Berggård"
RF = "Regionstyrelsen föreslår regionfullmäktige besluta "
NOTED = "Regionstyrelsen beslutar lägga informationen till handlingarna."
TERM = (date(2019, 1, 1), date(2022, 12, 31))

MEMBERS: list[tuple[str, str, MemberRole, Position | None]] = [
    ("Kenneth Backgård", "SJVP", MemberRole.MEMBER, Position.CHAIR),
    ("Linda Frohm", "M", MemberRole.MEMBER, Position.FIRST_VICE_CHAIR),
    ("Anders Öberg", "S", MemberRole.MEMBER, Position.SECOND_VICE_CHAIR),
    ("Glenn Berggård", "V", MemberRole.MEMBER, None),
    ("Marianne Sandström", "SD", MemberRole.MEMBER, None),
    ("Nils-Olov Lindfors", "C", MemberRole.MEMBER, None),
    ("Elisabeth Lindberg", "S", MemberRole.MEMBER, None),
    ("Carina Strömbäck", "S", MemberRole.MEMBER, None),
    ("Ann-Sofie Isaksson", "S", MemberRole.MEMBER, None),
    ("Johannes Sundelin", "S", MemberRole.MEMBER, None),
    ("Anna-Stina Nordmark Nilsson", "SJVP", MemberRole.MEMBER, None),
    ("Doris Messner", "SJVP", MemberRole.SUBSTITUTE, None),
    ("Anita Sköld", "M", MemberRole.SUBSTITUTE, None),
]

# §, title, dnr (a demo case, or None), kind, decision text, reservations, extract recipients
PARAGRAPHS: list[tuple[int, str, str | None, DecisionKind, str, list[str], list[str]]] = [
    (160, "Val av protokolljusterare", None, DecisionKind.DECIDED,
     "Regionstyrelsen beslutar att utse ledamoten Glenn Berggård (V) att jämte ordföranden "
     "justera protokollet.", [], []),
    (161, "Fastställande av slutlig föredragningslista", None, DecisionKind.DECIDED,
     "Regionstyrelsen beslutar att ärendet ”Avtal om förstudie, Kiruna nya sjukhus” lyfts ut "
     "för att återkomma vid ett senare sammanträde, samt att i övrigt fastställa "
     "föredragningslistan.", [], []),
    (162, "Fastställande av närvarorätt på sammanträdet", None, DecisionKind.DECIDED,
     "Regionstyrelsen beslutar att sammanträdet, mot bakgrund av risk för smittspridning av "
     "Covid-19, ska vara stängt för allmänheten.", ["Glenn Berggård", "Anders Öberg"], []),
    (163, "Delegationsbeslut anmälda till regionstyrelsen 2020-10-14", "1310-2020",
     DecisionKind.NOTED, NOTED, [], []),
    (164, "Meddelanden till regionstyrelsen 2020-10-14", "1334-2020", DecisionKind.NOTED,
     NOTED, [], []),
    (165, "Återrapportering av regionstyrelsens uppdrag till regiondirektören", None,
     DecisionKind.DECIDED, "Regionstyrelsen beslutar godkänna vidtagna och pågående åtgärder "
     "enligt redovisning av regionstyrelsens uppdrag till regiondirektören.", [], []),
    (166, "Regiondirektörens rapport", "119-2020", DecisionKind.NOTED,
     "Regionstyrelsen beslutar att lägga informationen till handlingarna.", [], []),
    (167, "Delårsrapport Region Norrbotten augusti 2020", "1326-2020",
     DecisionKind.PROPOSED_TO_HIGHER_BODY, RF + "att delårsrapport per augusti 2020 godkänns.",
     [], ["Ekonomi- och planeringsdirektör"]),
    (168, "Regionala utvecklingsnämndens delårsrapport augusti 2020", None,
     DecisionKind.PROPOSED_TO_HIGHER_BODY, RF + "att regionala utvecklingsnämndens "
     "delårsrapport per augusti 2020 godkänns.", [],
     ["Regional utvecklingsdirektör", "Ekonomi- och planeringsdirektör"]),
    (169, "Strategisk plan 2021-2023", "411-2020", DecisionKind.PROPOSED_TO_HIGHER_BODY,
     "Regionstyrelsen föreslår fullmäktige besluta att Strategisk plan 2021-2023 antas med "
     "ändring av att tillfälligt utöka regionala utvecklingsnämndens ram för åren 2021-2023 "
     "med beloppen 2 862 mnkr år 2021, 5 724 mnkr år 2022 och 2 862 mnkr år 2023 för "
     "infrastruktur.", ["Anders Öberg", "Glenn Berggård", "Marianne Sandström"],
     ["Ekonomi- och planeringsdirektör", "Regional utvecklingsdirektör",
      "Verksamhetsdirektör"]),
    (170, "Förstudie av fysisk samlokalisering av verksamheter i Luleåområdet", "1338-2020",
     DecisionKind.DECIDED, "Regionstyrelsen beslutar att 1. Regiondirektören får i uppdrag att "
     "genomföra en förstudie av förutsättningarna för att tillgodose verksamheternas framtida "
     "lokalbehov genom fysisk samlokalisering inom Luleåområdet och att resultatet av "
     "förstudien ska presenteras senast 2021-06-30. 2. Finansieringen av kostnaden för "
     "förstudien bedöms uppgå till högst 2 mnkr och tas från anslaget för investeringar i "
     "fastigheter 2020 genom omprioriteringar inom befintlig investeringsram.",
     ["Anders Öberg"], ["Regiondirektör", "Ekonomi- och planeringsdirektör"]),
    (171, "Förstudie av fysisk samlokalisering av verksamheter i Bodenområdet", "1359-2020",
     DecisionKind.DECIDED, "Regionstyrelsen beslutar att regiondirektören får i uppdrag att "
     "genomföra en förstudie inom Bodenområdet.", ["Anders Öberg"],
     ["Regiondirektör", "Ekonomi- och planeringsdirektör"]),
    (172, "Ny driftsorganisation i Region Norrbotten", None,
     DecisionKind.PROPOSED_TO_HIGHER_BODY, RF + "att fastställa ny driftsorganisation enligt "
     "bild 1, från och med 1 januari 2021.",
     ["Glenn Berggård", "Anders Öberg", "Marianne Sandström"], ["Regiondirektör"]),
    (173, "Överenskommelse om Norrbottens läns landstings tidigare verksamhet", None,
     DecisionKind.PROPOSED_TO_HIGHER_BODY, RF + "att teckna en överenskommelse.", [],
     ["Ekonomi- och planeringsdirektör"]),
    (174, "Kartläggning av Länsservice säljverksamhet", "1161-2020", DecisionKind.DECIDED,
     "Regionstyrelsen beslutar att 1. Ge regiondirektören i uppdrag att ta fram förslag på "
     "nödvändiga åtgärder för att komma till rätta med konstaterade brister i den "
     "säljverksamhet som bedrivs inom Länsservice. 2. Ge regiondirektören i uppdrag att "
     "redovisa förslag på nödvändiga åtgärder till regionstyrelsen. 3. Lägga rapporten till "
     "handlingarna.", [],
     ["Verksamhetsdirektör", "Ekonomi- och planeringsdirektör", "Utvecklingsdirektör",
      "Divisionschef Service", "Divisionschefer Närsjukvård", "Divisionschef Länssjukvård"]),
    (175, "Inriktningsbeslut gällande införande av centralkassor", None, DecisionKind.DECIDED,
     "Regionstyrelsen beslutar enligt förslaget.", [], ["Verksamhetsdirektör"]),
    (176, "Införande av politikerportal", "972-2020", DecisionKind.PROPOSED_TO_HIGHER_BODY,
     RF + "att en politikerportal införs.", [], ["Regiondirektör"]),
    (177, "Vårdval primärvård, uppföljning januari-augusti 2020", None, DecisionKind.NOTED,
     NOTED, [], []),
    (178, "Bekräftelse av borgensförbindelse, regressavtal och garantiavtal beträffande "
     "Kommuninvest", None, DecisionKind.PROPOSED_TO_HIGHER_BODY,
     RF + "att bekräfta borgensförbindelsen, regressavtalet och garantiavtalet.", [],
     ["Ekonomi- och planeringsdirektör"]),
    (179, "Riktlinje för jämställdhetsintegrering", "1242-2020", DecisionKind.DECIDED,
     "Regionstyrelsen beslutar att godkänna riktlinje för jämställdhetsintegrering enligt "
     "bilaga.", ["Glenn Berggård", "Anders Öberg", "Marianne Sandström"],
     ["Regiondirektör", "Ekonomi- och planeringsdirektör"]),
]
REF = "RS-2020-10-14"


def load_meeting_demo(diarium: Diarium) -> str:
    """Record the meeting (its bodies set up first: ``load_bodies``); returns its ref."""
    do = diarium.handle
    ref = do(
        mc.ScheduleMeeting("RS", MEETING, place="Regionhuset, Luleå", starts_at="09.00",
                           scheduled_on=date(2019, 11, 20)),
        SECRETARY,
    ).ref
    _agenda(diarium, ref)
    do(mc.RecordAttendance(
        ref, chair=CHAIR, secretary="Linda Ylivainio",
        attendees=[
            mc.AttendeeEntry(name, Capacity.MEMBER, party)
            for name, party, role, _ in MEMBERS if role is MemberRole.MEMBER
        ] + [
            mc.AttendeeEntry("Doris Messner", Capacity.SUBSTITUTE, "SJVP"),
            mc.AttendeeEntry("Linda Ylivainio", Capacity.OTHER, title="sekreterare"),
            mc.AttendeeEntry("Lennart Kärf", Capacity.OTHER, title="regiondirektör"),
        ],
    ), SECRETARY)
    do(mc.ElectAdjusters(ref, [ADJUSTER], "Regionhuset, Luleå", date(2020, 10, 19)), SECRETARY)
    for number, title, dnr, kind, text, reservations, recipients in PARAGRAPHS:
        written = do(mc.RecordParagraph(ref, title, dnr), SECRETARY)
        assert written.paragraph == number, (written.paragraph, number)
        _treatment(diarium, ref, number)
        do(
            mc.DecideParagraph(ref, number, kind, text, "RF" if kind.value.startswith(
                "proposed") else None), SECRETARY,
        )
        for member in reservations:
            do(mc.EnterReservation(ref, number, member), SECRETARY)
        if recipients:
            do(mc.ListExtractRecipients(ref, number, recipients), SECRETARY)
    do(mc.CloseMeeting(ref, "16.10"), SECRETARY)
    do(mc.AdjustProtocol(ref, [CHAIR, ADJUSTER], date(2020, 10, 19)), SECRETARY)
    do(mc.PostProtocol(ref, date(2020, 10, 20)), SECRETARY)
    do(mc.CertifyCorrection(
        ref, 174, "Protokollsutdrag skickas till: Utvecklingsdirektör",
        "Protokollsutdrag skickas till: Regional utvecklingsdirektör",
        [CHAIR, ADJUSTER], date(2020, 10, 22),
    ), SECRETARY)
    for number, _, dnr, kind, _, _, recipients in PARAGRAPHS:
        if dnr and kind is not DecisionKind.NOTED:
            for recipient in recipients[:2]:
                do(mc.SendExtract(ref, number, recipient, date(2020, 10, 20)), SECRETARY)
    return ref


def load_bodies(diarium: Diarium) -> None:
    """RF, RS with members, its 2020 numbering (on from § 159), its delegation order and
    delegated decisions: set up before any case is registered for them."""
    do = diarium.handle
    do(mc.EstablishBody(
        "RF", "Regionfullmäktige", BodyKind.COUNCIL, established_on=TERM[0]), ADMIN)
    do(mc.EstablishBody(
        "RS", "Regionstyrelsen", BodyKind.BOARD, "RF", established_on=TERM[0]), ADMIN)
    for name, party, role, position in MEMBERS:
        do(mc.AppointMember("RS", name, role, TERM[0], party, position, TERM[1]), ADMIN)
    do(mc.OpenParagraphYear("RS", 2020, 159), ADMIN)
    do(mc.AddDelegationPoint(
        "RS", "1.4", "Fullmakter att för regionens räkning underteckna ansökningar om "
        "utbetalning av projektmedel", "Regiondirektören", decided_on=date(2019, 2, 13),
        decision_reference="RS 2019-02-13 § 12"), ADMIN)
    do(mc.AddDelegationPoint(
        "RS", "3.2", "Yttranden över remisser från myndigheter", "Verksamhetsdirektören",
        "Ej ärenden av principiell beskaffenhet", decided_on=date(2019, 2, 13)), ADMIN)
    for point, delegate, day, text in [
        ("1.4", "Regiondirektören", date(2020, 9, 24),
         "Fullmakt till regionala utvecklingsdirektören att underteckna ansökningar om "
         "utbetalning av projektmedel för projektet Programmering och start av ny "
         "programperiod 2021-2027, dnr 1354-2020"),
        ("1.4", "Regiondirektören", date(2020, 9, 30),
         "Fullmakt till regionala utvecklingsdirektören att underteckna ansökningar om "
         "utbetalning av projektmedel för projektet Samling för jobb o framtid, dnr 1370-2020"),
        ("3.2", "Verksamhetsdirektören", date(2020, 9, 28),
         "Yttrande till Socialstyrelsen över förslag till föreskrifter om belopp för vård av "
         "utskrivningsklara patienter för år 2021, dnr 1296-2020"),
    ]:
        do(mc.RecordDelegatedDecision("RS", point, delegate, text, day), SECRETARY)


def _agenda(diarium: Diarium, ref: str) -> None:
    added = date(2020, 9, 30)
    fixed = [
        (AgendaItemKind.ADJUSTERS, "Val av protokolljusterare"),
        (AgendaItemKind.AGENDA, "Fastställande av slutlig föredragningslista"),
        (AgendaItemKind.OTHER, "Avtal om förstudie, Kiruna nya sjukhus"),
    ]
    for kind, title in fixed:
        diarium.handle(mc.AddAgendaItem(ref, kind, title, added_on=added), SECRETARY)
    for _, title, dnr, _, _, _, _ in PARAGRAPHS:
        if dnr:
            kind = {"1310-2020": AgendaItemKind.DELEGATED_DECISIONS,
                    "1334-2020": AgendaItemKind.NOTICES}.get(dnr, AgendaItemKind.CASE)
            diarium.handle(mc.AddAgendaItem(ref, kind, title, dnr, added), SECRETARY)


def _treatment(diarium: Diarium, ref: str, number: int) -> None:
    """What happened under the paragraph before its decision (seed 002)."""

    def do(command: object) -> None:
        diarium.handle(command, SECRETARY)

    if number == 161:
        do(mc.WithdrawAgendaItem(ref, 3, "Återkommer vid ett senare sammanträde"))
    elif number == 162:
        do(mc.MakeMotion(ref, 162, "att sammanträdet ska vara öppet.", "Glenn Berggård",
                         ["Anders Öberg"]))
        do(mc.MakeMotion(ref, 162, "att sammanträdet, mot bakgrund av risk för "
                         "smittspridning av Covid-19, ska vara stängt för allmänheten.", CHAIR))
        do(mc.RecordProcedureStep(
            ref, 162, [2, 1], "Ordföranden ställer eget förslag mot Glenn Berggårds förslag "
            "och finner att regionstyrelsen bifaller ordförandens förslag.", 2))
    elif number == 163:
        do(mc.ReportDelegatedDecisions(ref, 163, [1, 2, 3]))
        do(mc.AddAttachment(ref, 163, "Delegationsbeslut upphandling 2020-08-20 – 2020-09-16"))
    elif number == 169:
        for mover, party in [("Glenn Berggård", "vänsterpartiets"),
                             ("Anders Öberg", "socialdemokraternas"),
                             ("Marianne Sandström", "sverigedemokraternas")]:
            do(mc.MakeMotion(
                ref, 169, f"avslå det liggande förslaget och bifalla {party} förslag till "
                "strategisk plan 2021-2023.", mover))
        do(mc.MakeMotion(
            ref, 169, "bifalla strategisk plan 2021-2023 med justering av att tillfälligt "
            "utöka regionala utvecklingsnämndens ram för infrastruktur.", CHAIR))
        do(mc.RecordProcedureStep(
            ref, 169, [4, 1, 2, 3], "Ordföranden ställer eget förslag, Glenn Berggårds, "
            "Anders Öbergs och Marianne Sandströms förslag vart och ett under proposition "
            "och finner att regionstyrelsen bifaller det liggande förslaget.", 4))
        do(mc.AddAttachment(ref, 169, "Strategisk plan 2021-2023"))
    elif number == 170:
        do(mc.MakeMotion(ref, 170, "Förstudie av fysisk samlokalisering (liggande förslag)."))
        do(mc.MakeMotion(ref, 170, "avslå det liggande förslaget.", "Anders Öberg"))
        do(mc.MakeMotion(ref, 170, "bifalla det liggande förslaget.", "Marianne Sandström"))
        do(mc.RecordProcedureStep(ref, 170, [1, 2], None, 1))
        do(mc.EnterNote(
            ref, 170, "Anders Öberg (S)", "”Vi socialdemokrater tycker inte att förslaget kan "
            "tas på styrelsen nu den 14 oktober 2020. … Socialdemokraterna yrkar därför avslag "
            "på förslaget.”"))
    elif number == 174:
        do(mc.EnterNote(
            ref, 174, "Från socialdemokraternas ledamöter", "Den 21 augusti 2020 meddelade "
            "regionen på ett samverkansmöte med kommunerna att förändringar inom länsservice "
            "av material och hjälpmedelshantering kommer att ske …"))
        for title in ("Bilaga 1: Rapport KPMG: Kartläggning av Länsservice säljverksamhet",
                      "Bilaga 2: Rapport Lindahl advokater"):
            do(mc.AddAttachment(ref, 174, title))
    elif number == 178:
        do(mc.DeclareConflict(ref, 178, "Linda Frohm"))
    elif number == 179:
        do(mc.MakeMotion(
            ref, 179, "ett tillägg till riktlinjen om en årlig jämställdhetsredovisning till "
            "regionfullmäktige.", "Glenn Berggård", ["Anders Öberg"]))
        do(mc.MakeMotion(ref, 179, "Riktlinjen enligt bilaga (liggande förslag)."))
        do(mc.MakeMotion(ref, 179, "avslå Glenn Berggårds tillägg.", "Linda Frohm"))
        do(mc.MakeMotion(
            ref, 179, "bifalla det liggande förslaget med ändringar i punkterna 4 och 6.",
            "Marianne Sandström"))
        do(mc.RecordProcedureStep(
            ref, 179, [2, 4], "Ordföranden ställer det liggande förslaget mot Marianne "
            "Sandströms förslag och finner att regionstyrelsen bifaller det liggande förslaget.",
            2))
        do(mc.RecordProcedureStep(
            ref, 179, [1], "Ordföranden ställer Glenn Berggårds tillägg under proposition och "
            "finner att regionstyrelsen avslår tillägget.", None))
        do(mc.RecordProcedureStep(ref, 179, [2, 1], None, None, {
            CHAIR: Vote.YES, "Linda Frohm": Vote.YES, "Nils-Olov Lindfors": Vote.YES,
            "Anna-Stina Nordmark Nilsson": Vote.YES, "Marianne Sandström": Vote.YES,
            "Glenn Berggård": Vote.NO, "Anders Öberg": Vote.NO, "Elisabeth Lindberg": Vote.NO,
            "Carina Strömbäck": Vote.NO, "Ann-Sofie Isaksson": Vote.NO,
            "Johannes Sundelin": Vote.ABSTAIN,
        }))
