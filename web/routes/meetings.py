"""Meetings: agenda, attendance, paragraphs, adjustment, posting, corrections, extracts,
and the protocol as a readable Swedish document."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template

from diarium.cases.meeting_commands import MeetingWritten
from diarium.domain.meeting_terms import body_of_ref
from diarium.domain.roles import ADJUSTER, CHAIR, SECRETARY, STAFF
from diarium.web.auth import json_body_field, requires
from diarium.web.disclosure import disclose_meeting, disclose_meeting_history
from diarium.web.protocol import protocol_context
from diarium.web.routes.bodies import command, flag, query
from diarium.web.routes.common import actor, diarium, json_body
from diarium.web.schemas import meetings as ms
from diarium.web.schemas.cases import EventSchema, event_view

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


# -- the meeting -------------------------------------------------------------------------


@api.post("/meetings")
@requires(SECRETARY, body=json_body_field("body"))
@command("Schedule a meeting of a body", "ScheduleMeetingSchema", WRITTEN, "201")
def schedule_meeting() -> Response:
    cmd = ms.ScheduleMeetingSchema().command_of(json_body())
    return meeting_written(diarium().schedule_meeting(cmd, actor()), 201)


@api.get("/meetings/<ref>")
@READER
@query(
    "Read a meeting: agenda, attendance, every paragraph, legal dates", "MeetingSchema"
)
def get_meeting(ref: str) -> Response:
    meeting = diarium().get_meeting(ref)
    shown = disclose_meeting(meeting)
    response = jsonify(ms.MeetingSchema().dump(ms.meeting_view(shown, diarium().today())))
    response.headers["ETag"] = f'"{meeting.version}"'
    return response


@api.get("/meetings/<ref>/events")
@READER
@query("The complete history of a meeting", "{type: array, items: EventSchema}")
def meeting_history(ref: str) -> Response:
    events = EventSchema(many=True).dump([event_view(e) for e in diarium().meeting_history(ref)])
    return jsonify(disclose_meeting_history(events, diarium().get_meeting(ref)))


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
    meeting = disclose_meeting(diarium().get_meeting(ref))
    body = diarium().get_body(meeting.body)
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
    meeting = diarium().get_meeting(ref)
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
@command("Put a case or a fixed item on the agenda", "AddAgendaItemSchema", WRITTEN, "201")
def add_agenda_item(ref: str) -> Response:
    cmd = ms.AddAgendaItemSchema().command_of(json_body())
    return meeting_written(diarium().add_agenda_item(ref, cmd, actor()), 201)


@api.post("/meetings/<ref>/agenda/<int:number>/withdraw")
@KEEPER
@command("Withdraw an agenda item (lyfts ut)", "WithdrawAgendaItemSchema", WRITTEN)
def withdraw_agenda_item(ref: str, number: int) -> Response:
    cmd = ms.WithdrawAgendaItemSchema().command_of(json_body())
    return meeting_written(diarium().withdraw_agenda_item(ref, number, cmd, actor()))


@api.put("/meetings/<ref>/attendance")
@KEEPER
@command("Record attendance, chair and secretary", "RecordAttendanceSchema", WRITTEN,
         method="put")
def record_attendance(ref: str) -> Response:
    cmd = ms.RecordAttendanceSchema().command_of(json_body())
    return meeting_written(diarium().record_attendance(ref, cmd, actor()))


@api.put("/meetings/<ref>/adjusters")
@KEEPER
@command("Record the adjusters elected", "ElectAdjustersSchema", WRITTEN, method="put")
def elect_adjusters(ref: str) -> Response:
    cmd = ms.ElectAdjustersSchema().command_of(json_body())
    return meeting_written(diarium().elect_adjusters(ref, cmd, actor()))


@api.post("/meetings/<ref>/close")
@KEEPER
@command("Close the meeting", "CloseMeetingSchema", WRITTEN)
def close_meeting(ref: str) -> Response:
    cmd = ms.CloseMeetingSchema().command_of(json_body())
    return meeting_written(diarium().close_meeting(ref, cmd, actor()))


@api.post("/meetings/<ref>/adjustment")
@SIGNER
@command("Adjust (justera) the protocol", "AdjustProtocolSchema", WRITTEN)
def adjust_protocol(ref: str) -> Response:
    cmd = ms.AdjustProtocolSchema().command_of(json_body())
    return meeting_written(diarium().adjust_protocol(ref, cmd, actor()))


@api.post("/meetings/<ref>/posting")
@KEEPER
@command("Post the adjustment on the notice board", "PostProtocolSchema", WRITTEN)
def post_protocol(ref: str) -> Response:
    cmd = ms.PostProtocolSchema().command_of(json_body())
    return meeting_written(diarium().post_protocol(ref, cmd, actor()))


@api.post("/meetings/<ref>/corrections")
@SIGNER
@command("Record a certified correction (rättelse bestyrks)", "CertifyCorrectionSchema",
         WRITTEN, "201")
def certify_correction(ref: str) -> Response:
    cmd = ms.CertifyCorrectionSchema().command_of(json_body())
    return meeting_written(diarium().certify_correction(ref, cmd, actor()), 201)


# -- paragraphs --------------------------------------------------------------------------


@api.post("/meetings/<ref>/paragraphs")
@KEEPER
@command("Record the next paragraph (§)", "RecordParagraphSchema", WRITTEN, "201")
def record_paragraph(ref: str) -> Response:
    cmd = ms.RecordParagraphSchema().command_of(json_body())
    return meeting_written(diarium().record_paragraph(ref, cmd, actor()), 201)


@api.get("/meetings/<ref>/paragraphs/<int:number>")
@READER
@query("Read one paragraph", "ParagraphSchema")
def get_paragraph(ref: str, number: int) -> Response:
    meeting = diarium().get_meeting(ref)
    meeting.paragraph(number)  # 404 before anything is disclosed
    shown = disclose_meeting(meeting)
    view = ms.paragraph_view(shown, shown.paragraph(number), diarium().today())
    return jsonify(ms.ParagraphSchema().dump(view))


@api.post("/meetings/<ref>/paragraphs/<int:number>/motions")
@KEEPER
@command("Record a motion (yrkande)", "MakeMotionSchema", WRITTEN, "201")
def make_motion(ref: str, number: int) -> Response:
    cmd = ms.MakeMotionSchema().command_of(json_body())
    return meeting_written(diarium().make_motion(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/procedure")
@KEEPER
@command("Record a step of the decision procedure (beslutsgång, votering)",
         "RecordProcedureStepSchema", WRITTEN, "201")
def record_procedure_step(ref: str, number: int) -> Response:
    cmd = ms.RecordProcedureStepSchema().command_of(json_body())
    return meeting_written(diarium().record_procedure_step(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/decision")
@KEEPER
@command("Record the paragraph's decision", "DecideParagraphSchema", WRITTEN, "201")
def decide_paragraph(ref: str, number: int) -> Response:
    cmd = ms.DecideParagraphSchema().command_of(json_body())
    return meeting_written(diarium().decide_paragraph(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/reservations")
@KEEPER
@command("Enter a reservation", "EnterReservationSchema", WRITTEN, "201")
def enter_reservation(ref: str, number: int) -> Response:
    cmd = ms.EnterReservationSchema().command_of(json_body())
    return meeting_written(diarium().enter_reservation(ref, number, cmd, actor()), 201)


@api.put("/meetings/<ref>/paragraphs/<int:number>/reservations/<member>/reason")
@KEEPER
@command("Hand in the written reason for a reservation", "GiveReservationReasonSchema",
         WRITTEN, method="put")
def give_reservation_reason(ref: str, number: int, member: str) -> Response:
    cmd = ms.GiveReservationReasonSchema().command_of(json_body())
    return meeting_written(
        diarium().give_reservation_reason(ref, number, member, cmd, actor())
    )


@api.post("/meetings/<ref>/paragraphs/<int:number>/conflicts-of-interest")
@KEEPER
@command("Declare a conflict of interest (jäv)", "DeclareConflictSchema", WRITTEN, "201")
def declare_conflict(ref: str, number: int) -> Response:
    cmd = ms.DeclareConflictSchema().command_of(json_body())
    return meeting_written(diarium().declare_conflict(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/notes")
@KEEPER
@command("Enter a protocol note (protokollsanteckning)", "EnterNoteSchema", WRITTEN, "201")
def enter_note(ref: str, number: int) -> Response:
    cmd = ms.EnterNoteSchema().command_of(json_body())
    return meeting_written(diarium().enter_note(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/attachments")
@KEEPER
@command("Add an attachment or decision basis", "AddAttachmentSchema", WRITTEN, "201")
def add_attachment(ref: str, number: int) -> Response:
    cmd = ms.AddAttachmentSchema().command_of(json_body())
    return meeting_written(diarium().add_attachment(ref, number, cmd, actor()), 201)


@api.put("/meetings/<ref>/paragraphs/<int:number>/extract-recipients")
@KEEPER
@command("List who gets an extract (protokollsutdrag)", "ListExtractRecipientsSchema",
         WRITTEN, method="put")
def list_extract_recipients(ref: str, number: int) -> Response:
    cmd = ms.ListExtractRecipientsSchema().command_of(json_body())
    return meeting_written(diarium().list_extract_recipients(ref, number, cmd, actor()))


@api.post("/meetings/<ref>/paragraphs/<int:number>/extracts")
@KEEPER
@command("Record an extract sent", "SendExtractSchema", WRITTEN, "201")
def send_extract(ref: str, number: int) -> Response:
    cmd = ms.SendExtractSchema().command_of(json_body())
    return meeting_written(diarium().send_extract(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/delegated-decisions")
@KEEPER
@command("Report delegated decisions to the body (anmälan)", "ReportDelegatedDecisionsSchema",
         WRITTEN, "201")
def report_delegated_decisions(ref: str, number: int) -> Response:
    cmd = ms.ReportDelegatedDecisionsSchema().command_of(json_body())
    return meeting_written(diarium().report_delegated_decisions(ref, number, cmd, actor()), 201)


@api.post("/meetings/<ref>/paragraphs/<int:number>/immediate-adjustment")
@SIGNER
@command("Adjust one paragraph immediately (omedelbar justering)", "AdjustProtocolSchema",
         WRITTEN)
def adjust_immediately(ref: str, number: int) -> Response:
    cmd = ms.AdjustProtocolSchema().command_of(json_body())
    return meeting_written(diarium().adjust_paragraph_immediately(ref, number, cmd, actor()))
