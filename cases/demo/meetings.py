"""The demo's bodies and the Regionstyrelsen meeting of 14 October 2020 (seed 002, §§ 160-179),
recorded through the application service as a secretary would: agenda, attendance,
paragraphs with motions, procedure, reservations, conflicts of interest, protocol notes,
attachments and extract recipients; then adjustment, posting, a certified correction and
the extracts sent. The demo cases (cases/demo.py) get their decisions from here."""

from __future__ import annotations

from datetime import date

from diarium.cases.application import Diarium
from diarium.domain import meeting_commands as mc
from diarium.domain.actor import Actor
from diarium.domain.case.terms import DecisionKind
from diarium.domain.meeting_terms import AgendaItemKind, BodyKind, Capacity, MemberRole, Position

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
    """Record RF, RS with members and delegation order, and the meeting; returns its ref."""
    _bodies(diarium)
    ref = diarium.schedule_meeting(
        mc.ScheduleMeeting("RS", MEETING, place="Regionhuset, Luleå", starts_at="09.00",
                           scheduled_on=date(2019, 11, 20)),
        SECRETARY,
    ).ref
    _agenda(diarium, ref)
    diarium.record_attendance(ref, mc.RecordAttendance(
        chair=CHAIR, secretary="Linda Ylivainio",
        attendees=[
            mc.AttendeeEntry(name, Capacity.MEMBER, party)
            for name, party, role, _ in MEMBERS if role is MemberRole.MEMBER
        ] + [
            mc.AttendeeEntry("Doris Messner", Capacity.SUBSTITUTE, "SJVP"),
            mc.AttendeeEntry("Linda Ylivainio", Capacity.OTHER, title="sekreterare"),
            mc.AttendeeEntry("Lennart Kärf", Capacity.OTHER, title="regiondirektör"),
        ],
    ), SECRETARY)
    diarium.elect_adjusters(ref, mc.ElectAdjusters(
        [ADJUSTER], "Regionhuset, Luleå", date(2020, 10, 19)), SECRETARY)
    for number, title, dnr, kind, text, reservations, recipients in PARAGRAPHS:
        written = diarium.record_paragraph(ref, mc.RecordParagraph(title, dnr), SECRETARY)
        assert written.paragraph == number, (written.paragraph, number)
        _treatment(diarium, ref, number)
        diarium.decide_paragraph(
            ref, number, mc.DecideParagraph(kind, text, "RF" if kind.value.startswith(
                "proposed") else None), SECRETARY,
        )
        for member in reservations:
            diarium.enter_reservation(ref, number, mc.EnterReservation(member), SECRETARY)
        if recipients:
            diarium.list_extract_recipients(
                ref, number, mc.ListExtractRecipients(recipients), SECRETARY
            )
    diarium.close_meeting(ref, mc.CloseMeeting("16.10"), SECRETARY)
    diarium.adjust_protocol(
        ref, mc.AdjustProtocol([CHAIR, ADJUSTER], date(2020, 10, 19)), SECRETARY
    )
    diarium.post_protocol(ref, mc.PostProtocol(date(2020, 10, 20)), SECRETARY)
    diarium.certify_correction(ref, mc.CertifyCorrection(
        174, "Protokollsutdrag skickas till: Utvecklingsdirektör",
        "Protokollsutdrag skickas till: Regional utvecklingsdirektör",
        [CHAIR, ADJUSTER], date(2020, 10, 22),
    ), SECRETARY)
    for number, _, dnr, kind, _, _, recipients in PARAGRAPHS:
        if dnr and kind is not DecisionKind.NOTED:
            for recipient in recipients[:2]:
                diarium.send_extract(
                    ref, number, mc.SendExtract(recipient, date(2020, 10, 20)), SECRETARY
                )
    return ref


def _bodies(diarium: Diarium) -> None:
    diarium.establish_body(mc.EstablishBody(
        "RF", "Regionfullmäktige", BodyKind.COUNCIL, established_on=TERM[0]), ADMIN)
    diarium.establish_body(mc.EstablishBody(
        "RS", "Regionstyrelsen", BodyKind.BOARD, "RF", established_on=TERM[0]), ADMIN)
    for name, party, role, position in MEMBERS:
        diarium.appoint_member("RS", mc.AppointMember(
            name, role, TERM[0], party, position, TERM[1]), ADMIN)
    diarium.open_paragraph_year("RS", mc.OpenParagraphYear(2020, 159), ADMIN)
    diarium.add_delegation_point("RS", mc.AddDelegationPoint(
        "1.4", "Fullmakter att för regionens räkning underteckna ansökningar om utbetalning "
        "av projektmedel", "Regiondirektören", decided_on=date(2019, 2, 13),
        decision_reference="RS 2019-02-13 § 12"), ADMIN)
    diarium.add_delegation_point("RS", mc.AddDelegationPoint(
        "3.2", "Yttranden över remisser från myndigheter", "Verksamhetsdirektören",
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
        diarium.record_delegated_decision("RS", mc.RecordDelegatedDecision(
            point, delegate, text, day), SECRETARY)


def _agenda(diarium: Diarium, ref: str) -> None:
    added = date(2020, 9, 30)
    fixed = [
        (AgendaItemKind.ADJUSTERS, "Val av protokolljusterare"),
        (AgendaItemKind.AGENDA, "Fastställande av slutlig föredragningslista"),
        (AgendaItemKind.OTHER, "Avtal om förstudie, Kiruna nya sjukhus"),
    ]
    for kind, title in fixed:
        diarium.add_agenda_item(ref, mc.AddAgendaItem(kind, title, added_on=added), SECRETARY)
    for _, title, dnr, _, _, _, _ in PARAGRAPHS:
        if dnr:
            kind = {"1310-2020": AgendaItemKind.DELEGATED_DECISIONS,
                    "1334-2020": AgendaItemKind.NOTICES}.get(dnr, AgendaItemKind.CASE)
            diarium.add_agenda_item(ref, mc.AddAgendaItem(kind, title, dnr, added), SECRETARY)


def _treatment(diarium: Diarium, ref: str, number: int) -> None:
    """What happened under the paragraph before its decision (seed 002)."""
    motion, step = diarium.make_motion, diarium.record_procedure_step
    if number == 161:
        diarium.withdraw_agenda_item(ref, 3, mc.WithdrawAgendaItem(
            "Återkommer vid ett senare sammanträde"), SECRETARY)
    elif number == 162:
        motion(ref, 162, mc.MakeMotion("att sammanträdet ska vara öppet.", "Glenn Berggård",
                                       ["Anders Öberg"]), SECRETARY)
        motion(ref, 162, mc.MakeMotion("att sammanträdet, mot bakgrund av risk för "
                                       "smittspridning av Covid-19, ska vara stängt för "
                                       "allmänheten.", CHAIR), SECRETARY)
        step(ref, 162, mc.RecordProcedureStep(
            [2, 1], "Ordföranden ställer eget förslag mot Glenn Berggårds förslag och finner "
            "att regionstyrelsen bifaller ordförandens förslag.", 2), SECRETARY)
    elif number == 163:
        diarium.report_delegated_decisions(
            ref, 163, mc.ReportDelegatedDecisions([1, 2, 3]), SECRETARY
        )
        diarium.add_attachment(ref, 163, mc.AddAttachment(
            "Delegationsbeslut upphandling 2020-08-20 – 2020-09-16"), SECRETARY)
    elif number == 169:
        for mover, party in [("Glenn Berggård", "vänsterpartiets"),
                             ("Anders Öberg", "socialdemokraternas"),
                             ("Marianne Sandström", "sverigedemokraternas")]:
            motion(ref, 169, mc.MakeMotion(
                f"avslå det liggande förslaget och bifalla {party} förslag till strategisk "
                "plan 2021-2023.", mover), SECRETARY)
        motion(ref, 169, mc.MakeMotion(
            "bifalla strategisk plan 2021-2023 med justering av att tillfälligt utöka "
            "regionala utvecklingsnämndens ram för infrastruktur.", CHAIR), SECRETARY)
        step(ref, 169, mc.RecordProcedureStep(
            [4, 1, 2, 3], "Ordföranden ställer eget förslag, Glenn Berggårds, Anders Öbergs och "
            "Marianne Sandströms förslag vart och ett under proposition och finner att "
            "regionstyrelsen bifaller det liggande förslaget.", 4), SECRETARY)
        diarium.add_attachment(ref, 169, mc.AddAttachment("Strategisk plan 2021-2023"),
                               SECRETARY)
    elif number == 170:
        motion(ref, 170, mc.MakeMotion("Förstudie av fysisk samlokalisering (liggande "
                                       "förslag)."), SECRETARY)
        motion(ref, 170, mc.MakeMotion("avslå det liggande förslaget.", "Anders Öberg"),
               SECRETARY)
        motion(ref, 170, mc.MakeMotion("bifalla det liggande förslaget.",
                                       "Marianne Sandström"), SECRETARY)
        step(ref, 170, mc.RecordProcedureStep([1, 2], None, 1), SECRETARY)
        diarium.enter_note(ref, 170, mc.EnterNote(
            "Anders Öberg (S)", "”Vi socialdemokrater tycker inte att förslaget kan tas på "
            "styrelsen nu den 14 oktober 2020. … Socialdemokraterna yrkar därför avslag på "
            "förslaget.”"), SECRETARY)
    elif number == 174:
        diarium.enter_note(ref, 174, mc.EnterNote(
            "Från socialdemokraternas ledamöter", "Den 21 augusti 2020 meddelade regionen på "
            "ett samverkansmöte med kommunerna att förändringar inom länsservice av material "
            "och hjälpmedelshantering kommer att ske …"), SECRETARY)
        for title in ("Bilaga 1: Rapport KPMG: Kartläggning av Länsservice säljverksamhet",
                      "Bilaga 2: Rapport Lindahl advokater"):
            diarium.add_attachment(ref, 174, mc.AddAttachment(title), SECRETARY)
    elif number == 178:
        diarium.declare_conflict(ref, 178, mc.DeclareConflict("Linda Frohm"), SECRETARY)
    elif number == 179:
        motion(ref, 179, mc.MakeMotion(
            "ett tillägg till riktlinjen om en årlig jämställdhetsredovisning till "
            "regionfullmäktige.", "Glenn Berggård", ["Anders Öberg"]), SECRETARY)
        motion(ref, 179, mc.MakeMotion("Riktlinjen enligt bilaga (liggande förslag)."),
               SECRETARY)
        motion(ref, 179, mc.MakeMotion("avslå Glenn Berggårds tillägg.", "Linda Frohm"),
               SECRETARY)
        step(ref, 179, mc.RecordProcedureStep([1], "Ordföranden ställer Glenn Berggårds tillägg "
                                              "under proposition och finner att "
                                              "regionstyrelsen avslår tillägget.", None),
             SECRETARY)
        step(ref, 179, mc.RecordProcedureStep([2, 1], None, None, {
            CHAIR: "ja", "Linda Frohm": "ja", "Nils-Olov Lindfors": "ja",
            "Anna-Stina Nordmark Nilsson": "ja", "Marianne Sandström": "ja",
            "Glenn Berggård": "nej", "Anders Öberg": "nej", "Elisabeth Lindberg": "nej",
            "Carina Strömbäck": "nej", "Ann-Sofie Isaksson": "nej", "Johannes Sundelin": "avstår",
        }), SECRETARY)
