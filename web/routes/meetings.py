"""Meetings: agenda, attendance, paragraphs, adjustment, posting, corrections, extracts,
and the protocol as a readable Swedish document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from diarium.cases.meetings import MeetingWritten
from diarium.domain.meeting.terms import body_of_ref
from diarium.domain.roles import ADJUSTER, CHAIR, SECRETARY, SERVICE, STAFF
from diarium.projections.listings import LISTINGS
from diarium.web.auth import json_body_field, requires
from diarium.web.disclosure import disclose_meeting, disclose_meeting_history
from diarium.web.protocol import render_protocol
from diarium.web.protocol_pdf import PDF, html_to_pdf, pdf_response
from diarium.web.routes.bodies import flag
from diarium.web.routes.common import answer_write, command_routes, diarium, query
from diarium.web.routes.registers import listing_view
from diarium.web.schemas import meeting_commands as msc
from diarium.web.schemas import meetings as ms
from diarium.web.schemas.cases import EventSchema, event_view

api = Blueprint("meetings", __name__, url_prefix="/api")

WRITTEN = "MeetingWrittenSchema"
EXTRACT_ROWS = "{type: array, items: ExtractRowSchema}"
UNSENT = "{in: query, name: unsent, schema: {type: boolean}, description: Only unsent ones}"


def meeting_body(arguments: dict) -> str | None:  # type: ignore[type-arg]
    """The body whose meeting the route's ``ref`` names (for tokens scoped to bodies)."""
    return body_of_ref(arguments.get("ref", ""))


KEEPER = requires(SECRETARY, body=meeting_body)  # keeps the agenda and the protocol
SIGNER = requires(SECRETARY, CHAIR, ADJUSTER, body=meeting_body)  # adjusts, certifies
READER = requires(*STAFF)
SCHEDULER = requires(SECRETARY, body=json_body_field("body"))


def meeting_written(result: MeetingWritten, status: int = 200) -> Response:
    """The meeting after the write (none with ``Prefer: return=minimal``)."""

    def render() -> dict:  # type: ignore[type-arg]
        meeting = ms.meeting_view(disclose_meeting(result.meeting), diarium().today())
        return ms.MeetingWrittenSchema().dump({**vars(result), "meeting": meeting})

    location = f"/api/meetings/{result.ref}"
    if result.paragraph is not None:
        location += f"/paragraphs/{result.paragraph}"
    return answer_write(render, status, result.version, location, result.position)


# the meetings, paged and filtered as the registers are (the meetings register)
api.add_url_rule("/meetings", "list_meetings", listing_view(LISTINGS["meetings"]), methods=["GET"])


@api.get("/meetings/<ref>")
@READER
@query(
    "Read a meeting: agenda, attendance, every paragraph, legal dates", "MeetingSchema"
)
def get_meeting(ref: str) -> Response:
    meeting = diarium().meetings.get_meeting(ref)
    shown = disclose_meeting(meeting)
    response = jsonify(ms.MeetingSchema().dump(ms.meeting_view(shown, diarium().today())))
    response.headers["ETag"] = f'"{meeting.version}"'
    return response


@api.get("/meetings/<ref>/events")
@READER
@query("The complete history of a meeting", "{type: array, items: EventSchema}")
def meeting_history(ref: str) -> Response:
    history = diarium().meetings.meeting_history(ref)
    events = EventSchema(many=True).dump([event_view(e) for e in history])
    return jsonify(disclose_meeting_history(events, diarium().meetings.get_meeting(ref)))


@api.get("/meetings/<ref>/protocol")
@READER
def protocol(ref: str) -> Response:
    """The protocol as a readable Swedish document, paragraph by paragraph: HTML, or with
    ``Accept: application/pdf`` PDF/A-2b.
    ---
    get:
      summary: The protocol as HTML or PDF/A-2b (Swedish)
      description: >
        The protocol as the reader may see it: what the secrecy markings of its cases cover
        is withheld from a reader who may not read it (the public title and `[sekretess]`
        stand in), and the body's secretary, chair and adjusters get it, logged as a secret
        read. With `Accept: application/pdf` the same protocol as PDF/A-2b (WeasyPrint; XMP
        `pdfaid:part` 2, `pdfaid:conformance` B; fonts embedded; text extractable), laid out
        as a Swedish protocol with page numbers and the adjusters' initials box on every
        page, the signature block and, once posted, the anslagsbevis; before adjustment
        every page is marked "UTKAST – ej justerat". Answered inline as
        `protokoll-<ref>.pdf`.
      responses:
        "200":
          description: The protocol
          content:
            text/html: {schema: {type: string}}
            application/pdf: {schema: {type: string, format: binary}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    meeting = disclose_meeting(diarium().meetings.get_meeting(ref))
    body = diarium().bodies.get_body(meeting.body)
    html = render_protocol(meeting, body)
    if request.accept_mimetypes.best_match(["text/html", PDF]) == PDF:
        response = pdf_response(html_to_pdf(html), ref)
    else:
        response = Response(html, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


@api.get("/meetings/<ref>/extracts")
@READER
@query(
    "Protocol extracts of the meeting", EXTRACT_ROWS, "Extracts by paragraph and recipient",
    parameters=UNSENT,
)
def list_extracts(ref: str) -> Response:
    """Protocol extracts per paragraph and recipient (``?unsent=true``: still to send)."""
    meeting = diarium().meetings.get_meeting(ref)
    return jsonify(_extracts(meeting.paragraphs))


def _extracts(paragraphs: list[Any]) -> list[dict[str, Any]]:
    """A row per paragraph and listed recipient (``?unsent=true``: those not yet sent)."""
    unsent = flag("unsent")
    return [
        {
            "paragraph": p.number,
            "dnr": p.dnr,
            "recipient": r,
            "sent_on": p.extracts[r].isoformat() if r in p.extracts else None,
        }
        for p in paragraphs
        for r in p.extract_recipients
        if not (unsent and r in p.extracts)
    ]


# -- paragraphs --------------------------------------------------------------------------


@api.get("/meetings/<ref>/paragraphs/<int:number>")
@requires(*STAFF, SERVICE)  # a service acts on feed items: the withheld view (docs/feed.md)
@query("Read one paragraph", "ParagraphSchema")
def get_paragraph(ref: str, number: int) -> Response:
    meeting = diarium().meetings.get_meeting(ref)
    meeting.paragraph(number)  # 404 before anything is disclosed
    shown = disclose_meeting(meeting)
    view = ms.paragraph_view(shown, shown.paragraph(number), diarium().today())
    return jsonify(ms.ParagraphSchema().dump(view))


@api.get("/meetings/<ref>/paragraphs/<int:number>/extracts")
@READER
@query(
    "Protocol extracts of one paragraph", EXTRACT_ROWS, "Extracts of the paragraph by recipient",
    parameters=UNSENT,
)
def list_paragraph_extracts(ref: str, number: int) -> Response:
    """The paragraph's extract recipients (``?unsent=true``: listed but not yet sent)."""
    meeting = diarium().meetings.get_meeting(ref)
    return jsonify(_extracts([meeting.paragraph(number)]))


# the command routes: method, URL rule, policy, schema, status, summary[, endpoint]
command_routes(api, render=meeting_written, response_schema=WRITTEN, minimal=True, table=[
    ("post", "/meetings",
     SCHEDULER, msc.ScheduleMeetingSchema, 201,
     "Schedule a meeting of a body"),
    ("post", "/meetings/<ref>/agenda",
     KEEPER, msc.AddAgendaItemSchema, 201,
     "Put a case or a fixed item on the agenda"),
    ("post", "/meetings/<ref>/agenda/bulk",
     KEEPER, msc.AddAgendaItemsSchema, 201,
     "Put several items on the agenda in one write (all or none)"),
    ("post", "/meetings/<ref>/notice",
     KEEPER, msc.PublishMeetingNoticeSchema, 200,
     "Publish the notice of the meeting (kallelse) on the notice board"),
    ("post", "/meetings/<ref>/agenda/<int:number>/withdraw",
     KEEPER, msc.WithdrawAgendaItemSchema, 200,
     "Withdraw an agenda item (lyfts ut)"),
    ("put", "/meetings/<ref>/attendance",
     KEEPER, msc.RecordAttendanceSchema, 200,
     "Record attendance, chair and secretary"),
    ("put", "/meetings/<ref>/adjusters",
     KEEPER, msc.ElectAdjustersSchema, 200,
     "Record the adjusters elected"),
    ("post", "/meetings/<ref>/close",
     KEEPER, msc.CloseMeetingSchema, 200,
     "Close the meeting"),
    ("post", "/meetings/<ref>/adjustment",
     SIGNER, msc.AdjustProtocolSchema, 200,
     "Adjust (justera) the protocol"),
    ("post", "/meetings/<ref>/posting",
     KEEPER, msc.PostProtocolSchema, 200,
     "Post the adjustment on the notice board"),
    ("post", "/meetings/<ref>/corrections",
     SIGNER, msc.CertifyCorrectionSchema, 201,
     "Record a certified correction (rättelse bestyrks)"),
    ("post", "/meetings/<ref>/paragraphs",
     KEEPER, msc.RecordParagraphSchema, 201,
     "Record the next paragraph (§)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/motions",
     KEEPER, msc.MakeMotionSchema, 201,
     "Record a motion (yrkande)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/procedure",
     KEEPER, msc.RecordProcedureStepSchema, 201,
     "Record a step of the decision procedure (beslutsgång, votering)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/decision",
     KEEPER, msc.DecideParagraphSchema, 201,
     "Record the paragraph's decision"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/reservations",
     KEEPER, msc.EnterReservationSchema, 201,
     "Enter a reservation"),
    ("put", "/meetings/<ref>/paragraphs/<int:paragraph>/reservations/<member>/reason",
     KEEPER, msc.GiveReservationReasonSchema, 200,
     "Hand in the written reason for a reservation"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/conflicts-of-interest",
     KEEPER, msc.DeclareConflictSchema, 201,
     "Declare a conflict of interest (jäv)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/notes",
     KEEPER, msc.EnterNoteSchema, 201,
     "Enter a protocol note (protokollsanteckning)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/attachments",
     KEEPER, msc.AddAttachmentSchema, 201,
     "Add an attachment or decision basis"),
    ("put", "/meetings/<ref>/paragraphs/<int:paragraph>/extract-recipients",
     KEEPER, msc.ListExtractRecipientsSchema, 200,
     "List who gets an extract (protokollsutdrag)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/extracts",
     KEEPER, msc.SendExtractSchema, 201,
     "Record an extract sent"),
    ("post", "/meetings/<ref>/extracts",
     KEEPER, msc.SendExtractsSchema, 201,
     "Record extracts sent, of several paragraphs to several recipients (all or none)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/delegated-decisions",
     KEEPER, msc.ReportDelegatedDecisionsSchema, 201,
     "Report delegated decisions to the body (anmälan)"),
    ("post", "/meetings/<ref>/paragraphs/<int:paragraph>/immediate-adjustment",
     SIGNER, msc.AdjustParagraphImmediatelySchema, 200,
     "Adjust one paragraph immediately (omedelbar justering)", "adjust_immediately"),
])
