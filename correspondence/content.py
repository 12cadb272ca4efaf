"""What each kind of letter must say (the protocol's lists), and the council's standard wording
that pre-fills a new letter. Staff may edit every paragraph; a letter missing an element the
protocol requires cannot be approved."""

from __future__ import annotations

from datetime import date

from .models import Letter, LetterKind

LOGGING_STATEMENT = (
    "Your details have been logged on the council's unreasonable behaviour schedule. The record "
    "will be removed after 12 months as long as there is no repeat of the behaviour."
)
# With the entry's review date (``date_words``): the protocol's 12-month review.
LOGGING_STATEMENT_WITH_REVIEW = (
    "Your details have been logged on the council's unreasonable behaviour schedule. The panel "
    "will review the record on {review_on}, and it will be removed after 12 months as long as "
    "there is no repeat of the behaviour."
)
CONSEQUENCES = (
    "If you do not keep to these arrangements the council may restrict your contact further, "
    "refer the matter to Legal Services, and where appropriate report it to the police."
)
REVIEW_PROCESS = (
    "If you believe this protocol has not been followed, that the decision was unreasonable, or "
    "that something has happened since the decision which means it should be looked at again, "
    "you may ask for the decision to be reviewed by the council's Monitoring Officer. Your request "
    "must be made in writing within 28 working days of the date of this letter."
)
APPEAL_PROCESS = (
    "You have the right to appeal. Write to the council's Monitoring Officer within 28 working "
    "days of the date of this letter if you believe this protocol has not been followed, that the "
    "decision was unreasonable, or that there is new evidence or a change of circumstance since "
    "the decision. You will remain on the schedule until the appeal is decided."
)
# After the council's own process: the Local Government and Social Care Ombudsman.
OMBUDSMAN = (
    "If you are still unhappy once the council's own review process has finished, you can ask "
    "the Local Government and Social Care Ombudsman to look at your complaint. The Ombudsman is "
    "free and independent. Visit www.lgo.org.uk or call 0300 061 0614."
)
# The protocol: "The customer will be advised where a divert has been applied."
EMAIL_DIVERT_NOTICE = (
    "Emails you send to council staff will be diverted to your single point of contact{spoc}, "
    "who will deal with them. Please write to your single point of contact directly."
)
CEASE_AND_DESIST = (
    "You must cease and desist from the behaviour described above immediately: you must not "
    "abuse, threaten, intimidate or assault any council employee, worker or councillor."
)
EXPECTED_BEHAVIOUR = (
    "The council expects you to treat its staff with courtesy and respect: to contact us in "
    "writing or through the single point of contact named below, not to use abusive or "
    "threatening language, and not to make repeated contact about matters that have been answered."
)
# The removal letter (only when NOTIFY_ON_REMOVAL is on; the protocol itself says removal is not
# communicated). It tells them they are off the schedule and normal arrangements apply, and says
# nothing more: no restatement of the behaviour, which could re-open it.
REMOVAL_STATEMENT = (
    "The council has reviewed its record about you. You are no longer on the council's "
    "unreasonable behaviour schedule."
)
REMOVAL_CONTACT = (
    "Any arrangements the council made about how you contact it no longer apply. The council's "
    "normal contact arrangements apply to you: you may contact any council service in the usual "
    "way."
)
# The SPOC notice: who the single point of contact is and how to reach them. Plain words for a
# notice that may follow no finding of unreasonable behaviour at all (a SPOC-only decision).
SPOC_NOTICE_INTRODUCTION = (
    "The council has given you a single point of contact. This is one member of staff who will "
    "deal with your contact with the council and make sure it reaches the right service."
)
SPOC_NOTICE_CONTACT = (
    "Please contact your single point of contact about any council matter. They will pass it to "
    "the right service and reply to you."
)

# The protocol's elements, for each kind: (field, what to call it when it is missing).
_INCIDENT = [
    ("incident_description", "the incident"),
    ("incident_location", "where it happened"),
    ("incident_when", "the date and time"),
    ("why_unreasonable", "why the behaviour is unreasonable"),
]
REQUIRED = {
    LetterKind.LOW_MEDIUM: [
        *_INCIDENT,
        ("contact_restrictions", "future contact restrictions (say if there are none)"),
        ("service_restrictions", "restrictions to service provision (say if there are none)"),
        ("consequences_of_breach", "the consequences of a breach"),
        (
            "logging_statement",
            "that they are logged for 12 months unless the behaviour is repeated",
        ),
        ("review_or_appeal", "the process for review"),
        (
            "ombudsman",
            "how to complain to the Local Government and Social Care Ombudsman after the "
            "council's own process",
        ),
    ],
    LetterKind.HIGH: [
        *_INCIDENT,
        ("cease_and_desist", "the cease and desist requirement"),
        ("contact_restrictions", "future contact restrictions (say if there are none)"),
        ("service_restrictions", "restrictions to service provision (say if there are none)"),
        ("consequences_of_breach", "the consequences of a breach"),
        (
            "logging_statement",
            "that they are logged for 12 months unless the behaviour is repeated",
        ),
        ("review_or_appeal", "the process for appeal"),
        (
            "ombudsman",
            "how to complain to the Local Government and Social Care Ombudsman after the "
            "council's own process",
        ),
    ],
    LetterKind.EXPECTED_BEHAVIOUR: [
        *_INCIDENT,
        ("expected_behaviour", "the behaviour the council expects"),
        ("consequences_of_breach", "what happens if the behaviour continues"),
    ],
    LetterKind.SPOC_NOTICE: [
        ("spoc", "the single point of contact and how to reach them"),
        ("contact_restrictions", "how they may contact the council"),
    ],
    LetterKind.REMOVAL: [
        ("logging_statement", "that they are no longer on the schedule"),
        ("contact_restrictions", "that the council's normal contact arrangements apply"),
    ],
}
# Letters that carry the 12-month record, the review or appeal process and the Ombudsman.
_RECORD_KINDS = (LetterKind.LOW_MEDIUM, LetterKind.HIGH)


def missing_elements(letter: Letter) -> list[str]:
    """What the protocol requires that this letter does not say, in words for the sender."""
    missing = [
        label
        for field, label in REQUIRED[LetterKind(letter.kind)]
        if not getattr(letter, field).strip()
    ]
    if letter.kind == LetterKind.REMOVAL:
        return missing + _missing_address(letter)
    if letter.kind in _RECORD_KINDS:
        text = letter.logging_statement.lower()
        if letter.logging_statement.strip() and not (
            "12 months" in text or "twelve months" in text
        ):
            missing.append(
                "that the record is removed after 12 months unless the behaviour is repeated"
            )
        review_on = _review_on(letter)
        if review_on and date_words(review_on) not in letter.logging_statement:
            missing.append(f"the date the panel will review the record ({date_words(review_on)})")
        if letter.review_or_appeal.strip() and not _says_28_working_days(letter.review_or_appeal):
            missing.append("that the request must be made in writing within 28 working days")
        if letter.ombudsman.strip() and "ombudsman" not in letter.ombudsman.lower():
            missing.append("the Local Government and Social Care Ombudsman")
    if divert_applies(letter) and not letter.email_divert_notice.strip():
        missing.append("that their emails are diverted to the single point of contact")
    missing += _missing_spoc(letter)
    return missing + _missing_address(letter)


def _missing_spoc(letter: Letter) -> list[str]:
    """The protocol: "The individual subject to the SPOC should be provided with the contact
    details of the SPOC". A letter about a decision or entry that names a SPOC gives their name
    and their contact details as recorded (case aside). The same test as
    ``correspondence.selectors.spoc_untold``, which keeps the decision waiting until a letter
    passes it."""
    source = letter.decision or letter.entry
    spoc_name = _spoc_name(letter)
    if not spoc_name:
        return []
    said = _plain(letter.spoc)
    if _plain(spoc_name) not in said:
        return [f"the single point of contact ({spoc_name}) and how to reach them"]
    details = (getattr(source, "spoc_contact_details", "") or "").strip()
    if details and _plain(details) not in said:
        return [f"how to reach the single point of contact ({_one_line(details)})"]
    return []


def _plain(text: str) -> str:
    # A browser sends a textarea's line breaks as CRLF: the database's test drops the CR too.
    return text.replace("\r", "").strip().lower()


def _one_line(text: str) -> str:
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def _missing_address(letter: Letter) -> list[str]:
    if not letter.recipient_address.strip() and not letter.recipient_email.strip():
        return ["a postal or email address to send it to"]
    return []


def date_words(day: date) -> str:
    """3 December 2027: how a letter writes a date."""
    return f"{day.day} {day:%B %Y}"


def _says_28_working_days(text: str) -> bool:
    text = " ".join(text.lower().split())
    return "28 working days" in text or "twenty-eight working days" in text


def _review_on(letter: Letter) -> date | None:
    return letter.entry.review_due_on if letter.entry_id else None


def divert_applies(letter: Letter) -> bool:
    """The panel diverted the individual's emails to the SPOC: the letter must tell them."""
    return any(getattr(source, "email_divert", False) for source in (letter.decision, letter.entry))


def _spoc_name(letter: Letter) -> str:
    source = letter.decision or letter.entry
    return (getattr(source, "spoc_name", "") or "").strip()
