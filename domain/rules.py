"""Lifecycle rules: each has a stable code that the API returns when a command breaks it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A named rule of the case process, with the law or practice it comes from."""

    code: str
    text: str


class RuleViolation(Exception):
    """A command was refused because it would break a rule; nothing was recorded."""

    def __init__(self, rule: Rule, detail: str | None = None) -> None:
        super().__init__(detail or rule.text)
        self.rule = rule
        self.detail = detail or rule.text


RULES: dict[str, Rule] = {}


def rule(code: str, text: str) -> Rule:
    """Declare a rule once, so that every rule can be listed (GET /api/rules)."""
    declared = Rule(code, text)
    RULES[code] = declared
    return declared


def require(condition: bool, broken: Rule, detail: str | None = None) -> None:
    """Refuse the command with ``broken`` unless ``condition`` holds."""
    if not condition:
        raise RuleViolation(broken, detail)


# Registration and numbering
DNR_TAKEN = rule("dnr-taken", "A diarienummer is never reused: this dnr is already registered.")
DNR_FORMAT = rule("dnr-format", "The dnr does not match the format of its series.")
UNKNOWN_SERIES = rule("unknown-series", "The dnr series is not configured.")
NO_FUTURE_DATES = rule(
    "no-future-date", "What has happened cannot be dated in the future (business dates)."
)
# Lifecycle
CASE_CLOSED = rule(
    "case-closed", "A closed case must be reopened before anything more is recorded on it."
)
CASE_CANCELLED = rule(
    "case-cancelled", "A cancelled (makulerat) case is kept as it is: nothing more is recorded."
)
CLOSE_ONLY_OPEN = rule("close-only-open", "Only an open case can be closed.")
REOPEN_ONLY_CLOSED = rule("reopen-only-closed", "Only a closed case can be reopened.")
CANCEL_AFTER_DECISION = rule(
    "cancel-after-decision", "A case with a recorded decision cannot be cancelled (makuleras)."
)
OFFICER_UNCHANGED = rule("officer-unchanged", "The case already has this case officer.")
# Referrals (remiss)
REFERRAL_UNKNOWN = rule(
    "referral-not-sent", "An answer can only be registered to a referral that was sent."
)
REFERRAL_RECIPIENT = rule(
    "referral-recipient", "Only a recipient of the referral can answer it."
)
REFERRAL_ALREADY_ANSWERED = rule(
    "referral-already-answered", "Each recipient answers a referral once."
)
REFERRAL_ANSWER_BEFORE_SENT = rule(
    "referral-answer-before-sent", "A referral cannot be answered before it was sent."
)
REFERRAL_DUE_BEFORE_SENT = rule(
    "referral-due-before-sent", "The answer-by date must not precede the date sent."
)
DOCUMENT_UNKNOWN = rule("document-unknown", "The document number is not registered to this case.")
# Decisions and extracts
DECISION_MAKER = rule(
    "decision-maker",
    "A decision is taken either by a body at a meeting (body, meeting date, §) "
    "or by a delegate under a point of the delegation order, not both.",
)
DECISION_UNKNOWN = rule("decision-unknown", "There is no such decision on this case.")
EXTRACT_ALREADY_SENT = rule(
    "extract-already-sent", "This extract was already sent to this recipient."
)
EXTRACT_BEFORE_DECISION = rule(
    "extract-before-decision", "A protocol extract cannot be sent before the decision was taken."
)
