"""Meetings: agenda, attendance, paragraphs, adjustment, posting, corrections, extracts,
and the protocol as a readable Swedish document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from diarium.cases.meetings import MeetingWritten
from diarium.domain import meeting_commands as mc
from diarium.domain.meeting_terms import body_of_ref
from diarium.domain.roles import ADJUSTER, CHAIR, SECRETARY, STAFF
from diarium.web.auth import json_body_field, requires
from diarium.web.disclosure import disclose_meeting, disclose_meeting_history
from diarium.web.protocol import protocol_context
from diarium.web.routes.bodies import flag, query
from diarium.web.routes.common import actor, diarium, takes
from diarium.web.schemas import meeting_commands as msc
from diarium.web.schemas import meetings as ms
from diarium.web.schemas.cases import CommandSchema, EventSchema, event_view

api = Blueprint("meetings", __name__, url_prefix="/api")

WRITTEN = "MeetingWrittenSchema"


def meeting_body(arguments: dict) -> str | None:  # type: ignore[type-arg]
    """The body whose meeting the route's ``ref`` names (for tokens scoped to bodies)."""
    return body_of_ref(arguments.get("ref", ""))


KEEPER = requires(SECRETARY, body=meeting_body)  # keeps the agenda and the protocol
SIGNER = requires(SECRETARY, CHAIR, ADJUSTER, body=meeting_body)  # adjusts, certifies
READER = requires(*STAFF)


def meeting_written(result: MeetingWritten, status: int = 200) -> Response:
    view = {
        "ref": result.ref,
        "version": result.version,
        "position": result.position,
        "paragraph": result.paragraph,
        "meeting": ms.meeting_view(disclose_meeting(result.meeting), diarium().today()),
    }
    response = jsonify(ms.MeetingWrittenSchema().dump(view))
    response.status_code = status
    response.headers["ETag"] = f'"{result.version}"'
    if status == 201:
        location = f"/api/meetings/{result.ref}"
        if result.paragraph is not None:
            location += f"/paragraphs/{result.paragraph}"
        response.headers["Location"] = location
    return response


def meeting_command(
    schema: type[CommandSchema], summary: str, status: int = 200, method: str = "post"
) -> Any:
    """:func:`takes` for a command on a meeting: answered with the meeting written."""
    return takes(schema, summary, status, method, meeting_written, WRITTEN)


# -- the meeting -------------------------------------------------------------------------


@api.post("/meetings")
@requires(SECRETARY, body=json_body_field("body"))
@meeting_command(msc.ScheduleMeetingSchema, "Schedule a meeting of a body", 201)
def schedule_meeting(command: mc.ScheduleMeeting) -> MeetingWritten:
    return diarium().handle(command, actor())


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
    """The protocol as a readable Swedish HTML document, paragraph by paragraph.
    ---
    get:
      summary: The protocol as HTML (Swedish)
      responses:
        "200":
          description: The protocol
          content: {text/html: {schema: {type: string}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    meeting = disclose_meeting(diarium().meetings.get_meeting(ref))
    body = diarium().bodies.get_body(meeting.body)
    html = render_template("protocol.html", **protocol_context(meeting, body))
    return Response(html, content_type="text/html; charset=utf-8")


@api.get("/meetings/<ref>/extracts")
@READER
def list_extracts(ref: str) -> Response:
    """Protocol extracts per paragraph and recipient (``?unsent=true``: still to send).
    ---
    get:
      summary: Protocol extracts of the meeting
      parameters:
        - {in: query, name: unsent, schema: {type: boolean}, description: Only unsent ones}
      responses:
        "200":
          description: Extracts by paragraph and recipient
          content: {application/json: {schema: {type: array, items: {type: object}}}}
        "404": {$ref: "#/components/responses/NotFound"}
    """
    meeting = diarium().meetings.get_meeting(ref)
    unsent = flag("unsent")
    return jsonify(
        [
            {
                "paragraph": p.number,
                "dnr": p.dnr,
                "recipient": r,
                "sent_on": p.extracts[r].isoformat() if r in p.extracts else None,
            }
            for p in meeting.paragraphs
            for r in p.extract_recipients
            if not (unsent and r in p.extracts)
        ]
    )


@api.post("/meetings/<ref>/agenda")
@KEEPER
@meeting_command(msc.AddAgendaItemSchema, "Put a case or a fixed item on the agenda", 201)
def add_agenda_item(command: mc.AddAgendaItem) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/agenda/<int:number>/withdraw")
@KEEPER
@meeting_command(msc.WithdrawAgendaItemSchema, "Withdraw an agenda item (lyfts ut)")
def withdraw_agenda_item(command: mc.WithdrawAgendaItem) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.put("/meetings/<ref>/attendance")
@KEEPER
@meeting_command(msc.RecordAttendanceSchema, "Record attendance, chair and secretary", method="put")
def record_attendance(command: mc.RecordAttendance) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.put("/meetings/<ref>/adjusters")
@KEEPER
@meeting_command(msc.ElectAdjustersSchema, "Record the adjusters elected", method="put")
def elect_adjusters(command: mc.ElectAdjusters) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/close")
@KEEPER
@meeting_command(msc.CloseMeetingSchema, "Close the meeting")
def close_meeting(command: mc.CloseMeeting) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/adjustment")
@SIGNER
@meeting_command(msc.AdjustProtocolSchema, "Adjust (justera) the protocol")
def adjust_protocol(command: mc.AdjustProtocol) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/posting")
@KEEPER
@meeting_command(msc.PostProtocolSchema, "Post the adjustment on the notice board")
def post_protocol(command: mc.PostProtocol) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/corrections")
@SIGNER
@meeting_command(
    msc.CertifyCorrectionSchema, "Record a certified correction (rättelse bestyrks)", 201
)
def certify_correction(command: mc.CertifyCorrection) -> MeetingWritten:
    return diarium().handle(command, actor())


# -- paragraphs --------------------------------------------------------------------------


@api.post("/meetings/<ref>/paragraphs")
@KEEPER
@meeting_command(msc.RecordParagraphSchema, "Record the next paragraph (§)", 201)
def record_paragraph(command: mc.RecordParagraph) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.get("/meetings/<ref>/paragraphs/<int:number>")
@READER
@query("Read one paragraph", "ParagraphSchema")
def get_paragraph(ref: str, number: int) -> Response:
    meeting = diarium().meetings.get_meeting(ref)
    meeting.paragraph(number)  # 404 before anything is disclosed
    shown = disclose_meeting(meeting)
    view = ms.paragraph_view(shown, shown.paragraph(number), diarium().today())
    return jsonify(ms.ParagraphSchema().dump(view))


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/motions")
@KEEPER
@meeting_command(msc.MakeMotionSchema, "Record a motion (yrkande)", 201)
def make_motion(command: mc.MakeMotion) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/procedure")
@KEEPER
@meeting_command(
    msc.RecordProcedureStepSchema,
    "Record a step of the decision procedure (beslutsgång, votering)",
    201,
)
def record_procedure_step(command: mc.RecordProcedureStep) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/decision")
@KEEPER
@meeting_command(msc.DecideParagraphSchema, "Record the paragraph's decision", 201)
def decide_paragraph(command: mc.DecideParagraph) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/reservations")
@KEEPER
@meeting_command(msc.EnterReservationSchema, "Enter a reservation", 201)
def enter_reservation(command: mc.EnterReservation) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.put("/meetings/<ref>/paragraphs/<int:paragraph>/reservations/<member>/reason")
@KEEPER
@meeting_command(
    msc.GiveReservationReasonSchema, "Hand in the written reason for a reservation", method="put"
)
def give_reservation_reason(command: mc.GiveReservationReason) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/conflicts-of-interest")
@KEEPER
@meeting_command(msc.DeclareConflictSchema, "Declare a conflict of interest (jäv)", 201)
def declare_conflict(command: mc.DeclareConflict) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/notes")
@KEEPER
@meeting_command(msc.EnterNoteSchema, "Enter a protocol note (protokollsanteckning)", 201)
def enter_note(command: mc.EnterNote) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/attachments")
@KEEPER
@meeting_command(msc.AddAttachmentSchema, "Add an attachment or decision basis", 201)
def add_attachment(command: mc.AddAttachment) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.put("/meetings/<ref>/paragraphs/<int:paragraph>/extract-recipients")
@KEEPER
@meeting_command(
    msc.ListExtractRecipientsSchema, "List who gets an extract (protokollsutdrag)", method="put"
)
def list_extract_recipients(command: mc.ListExtractRecipients) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/extracts")
@KEEPER
@meeting_command(msc.SendExtractSchema, "Record an extract sent", 201)
def send_extract(command: mc.SendExtract) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/delegated-decisions")
@KEEPER
@meeting_command(
    msc.ReportDelegatedDecisionsSchema, "Report delegated decisions to the body (anmälan)", 201
)
def report_delegated_decisions(command: mc.ReportDelegatedDecisions) -> MeetingWritten:
    return diarium().handle(command, actor())


@api.post("/meetings/<ref>/paragraphs/<int:paragraph>/immediate-adjustment")
@SIGNER
@meeting_command(
    msc.AdjustParagraphImmediatelySchema, "Adjust one paragraph immediately (omedelbar justering)"
)
def adjust_immediately(command: mc.AdjustParagraphImmediately) -> MeetingWritten:
    return diarium().handle(command, actor())
