"""What each kind of letter must say (the protocol's lists), and the council's standard wording
that pre-fills a new letter. Staff may edit every paragraph; a letter missing an element the
protocol requires cannot be approved."""

from __future__ import annotations

from .models import Letter, LetterKind

LOGGING_STATEMENT = (
    "Your details have been logged on the council's unreasonable behaviour schedule. The record "
    "will be removed after 12 months as long as there is no repeat of the behaviour."
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
CEASE_AND_DESIST = (
    "You must cease and desist from the behaviour described above immediately: you must not "
    "abuse, threaten, intimidate or assault any council employee, worker or councillor."
)
EXPECTED_BEHAVIOUR = (
    "The council expects you to treat its staff with courtesy and respect: to contact us in "
    "writing or through the single point of contact named below, not to use abusive or "
    "threatening language, and not to make repeated contact about matters that have been answered."
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
    ],
    LetterKind.EXPECTED_BEHAVIOUR: [
        *_INCIDENT,
        ("expected_behaviour", "the behaviour the council expects"),
        ("consequences_of_breach", "what happens if the behaviour continues"),
    ],
}


def missing_elements(letter: Letter) -> list[str]:
    """What the protocol requires that this letter does not say, in words for the sender."""
    missing = [
        label
        for field, label in REQUIRED[LetterKind(letter.kind)]
        if not getattr(letter, field).strip()
    ]
    if letter.kind != LetterKind.EXPECTED_BEHAVIOUR:
        text = letter.logging_statement.lower()
        if letter.logging_statement.strip() and not (
            "12 months" in text or "twelve months" in text
        ):
            missing.append(
                "that the record is removed after 12 months unless the behaviour is repeated"
            )
    spoc_name = _spoc_name(letter)
    if spoc_name and spoc_name.lower() not in letter.spoc.lower():
        missing.append(f"the single point of contact ({spoc_name}) and how to reach them")
    if not letter.recipient_address.strip() and not letter.recipient_email.strip():
        missing.append("a postal or email address to send it to")
    return missing


def _spoc_name(letter: Letter) -> str:
    source = letter.decision or letter.entry
    return (getattr(source, "spoc_name", "") or "").strip()
