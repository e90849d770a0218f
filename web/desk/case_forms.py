"""The forms of the commands on cases a registrar or case officer has: one
:class:`~diarium.web.desk.forms.CommandForm` per API command route (its endpoint, a Swedish
title and receipt). Each form takes its route's policy and schema at start-up; the case page
links those its reader may use (``form_links``). API command routes a registrar or officer may
call but that have no desk form are listed, with the reason, in :data:`WITHOUT_FORM`."""

from __future__ import annotations

from typing import Any

from diarium.domain.case.documents import AttachFile
from diarium.web.desk.common import PREFIX
from diarium.web.desk.forms import CommandForm
from diarium.web.schemas.cases import CommandSchema


class AttachFileSchema(CommandSchema):
    """A new version of a document's file: no fields but the file itself (the API's route
    takes the file alone, without a JSON body)."""

    command = AttachFile


def _delegated_decision_after(_path: dict[str, Any], result: Any) -> str:
    """A delegated decision recorded: to its case when it names one, else to My work."""
    dnr = result.body.delegated_decisions[result.delegated_decision - 1].dnr
    return f"{PREFIX}/cases/{dnr}" if dnr else f"{PREFIX}/"


# fields for migrating cases from an older system (the API's, not the desk's)
MIGRATION = ("dnr", "migrated", "historical")

FORMS = (
    # registration and the case's course
    CommandForm("cases.register_case", "Registrera ärende", rule=f"{PREFIX}/cases/register",
                receipt="Ärendet är registrerat.", omit=MIGRATION,
                intro="Ärendet får nästa lediga diarienummer. Är uppgifter i ärendet "
                      "sekretessbelagda, fyll i delen Sekretess."),
    CommandForm("files.register_document", "Registrera handling",
                receipt="Handlingen är registrerad med sin fil.", file="Fil", today=("date",)),
    CommandForm("files.attach_file", "Ladda upp en ny version av filen",
                receipt="Den nya versionen av filen är sparad.", file="Fil",
                schema=AttachFileSchema),
    CommandForm("cases.assign_officer", "Tilldela handläggare",
                receipt="Handläggaren är tilldelad."),
    CommandForm("cases.classify_case", "Ändra klassificering",
                receipt="Ärendet har fått ny klassificering."),
    # referrals (remisser) we send, and their answers
    CommandForm("cases.send_referral", "Skicka på remiss", receipt="Remissen är skickad."),
    CommandForm("cases.register_referral_answer", "Registrera remissvar",
                receipt="Remissvaret är registrerat."),
    # referrals sent to us (inkomna remisser)
    CommandForm("cases.receive_incoming_referral", "Registrera inkommen remiss",
                receipt="Den inkomna remissen är registrerad.",
                intro="Registrera först remisshandlingen, och ange sedan dess nummer."),
    CommandForm("cases.extend_incoming_referral", "Registrera anstånd",
                receipt="Anståndet är registrerat."),
    CommandForm("cases.answer_incoming_referral", "Registrera vårt remissvar",
                receipt="Vårt remissvar är registrerat.",
                intro="Registrera först svarshandlingen, och ange sedan dess nummer."),
    CommandForm("cases.decline_incoming_referral", "Avstå från att svara på remissen",
                receipt="Att vi avstår från att svara är registrerat."),
    # proposals and decisions
    CommandForm("cases.record_proposal", "Registrera beslutsförslag",
                receipt="Beslutsförslaget är registrerat."),
    CommandForm("cases.record_decision", "Registrera beslut", receipt="Beslutet är registrerat.",
                today=("decided_on",), omit=MIGRATION),
    CommandForm("bodies.record_delegated_decision", "Registrera delegationsbeslut",
                receipt="Delegationsbeslutet är registrerat.", today=("decided_on",),
                after=_delegated_decision_after),
    CommandForm("cases.record_extract_sent", "Registrera skickat protokollsutdrag",
                receipt="Det skickade protokollsutdraget är registrerat."),
    # closing, reopening, cancelling
    CommandForm("cases.close_case", "Avsluta ärendet", receipt="Ärendet är avslutat."),
    CommandForm("cases.reopen_case", "Återuppta ärendet", receipt="Ärendet är återupptaget."),
    CommandForm("cases.cancel_case", "Makulera ärendet", receipt="Ärendet är makulerat.",
                intro="Makulera bara ett ärende som registrerats av misstag."),
    # secrecy markings (OSL 5:5)
    CommandForm("secrecy.mark_case_secret", "Sekretessmarkera ärendet",
                receipt="Ärendet är sekretessmarkerat."),
    CommandForm("secrecy.lift_case_secrecy", "Häv ärendets sekretessmarkering",
                receipt="Ärendets sekretessmarkering är hävd."),
    CommandForm("secrecy.mark_document_secret", "Sekretessmarkera handlingen",
                receipt="Handlingen är sekretessmarkerad."),
    CommandForm("secrecy.lift_document_secrecy", "Häv handlingens sekretessmarkering",
                receipt="Handlingens sekretessmarkering är hävd."),
)

# API command routes a registrar or officer may call that have no desk form, and why
# (endpoint: reason; tests/test_desk_forms.py walks the URL map against FORMS and this). None
# today: every such route has its form above; the secretary's meeting routes are the
# meetings' forms, the administrator's (bodies, members, delegation order) are not the desk's.
WITHOUT_FORM: dict[str, str] = {}
