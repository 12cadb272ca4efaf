"""A new letter pre-filled with the council's standard wording and what the records already say:
every incident the decision rests on, the panel's reasons (never the chair's internal notes), the
single point of contact, the restrictions, and what each kind of letter must add."""

from __future__ import annotations

from typing import Any

from correspondence import content
from correspondence.models import LetterKind
from referrals.models import Person, Referral
from schedule.models import Entry


def _incidents(entry: Entry | None, referral: Referral | None) -> list:
    """Every incident the decision rests on: the entry's own (copied from the referrals the panel
    decided on, or typed on the emergency addition), else the referral's."""
    if entry is not None and entry.pk:
        incidents = list(entry.incidents.all())
        if incidents:
            return incidents
    return list(referral.incidents.all()) if referral is not None else []


def _when(incident) -> str:
    at = f" at {incident.occurred_at:%H:%M}" if incident.occurred_at else ""
    return content.date_words(incident.occurred_on) + at


def _describe(incidents: list) -> dict[str, str]:
    """One incident as it was written; several, one paragraph each ("On 3 March 2026 at 14:05,
    at Civic Centre reception: ..."), with every place and every date and time."""
    if len(incidents) == 1:
        (incident,) = incidents
        return {
            "incident_description": incident.description,
            "incident_location": incident.location,
            "incident_when": _when(incident),
        }
    return {
        "incident_description": "\n\n".join(
            f"On {_when(incident)}, at {incident.location}: {incident.description.strip()}"
            for incident in incidents
        ),
        "incident_location": "; ".join(dict.fromkeys(i.location for i in incidents)),
        "incident_when": "; ".join(_when(incident) for incident in incidents),
    }


def _letter_safe(text: str, entry: Entry | None) -> str:
    """``text``, unless it carries the chair's internal notes, which never go into a letter."""
    notes = entry.internal_notes.strip() if entry is not None else ""
    return "" if notes and notes in text else text


def prefill(
    kind: LetterKind, person: Person, entry: Entry | None, decision, referral: Referral | None
) -> dict[str, Any]:
    """The council's standard wording and what the records already say."""
    source = decision or entry
    address = person.addresses.first() if person.pk else None
    email = person.emails.first() if person.pk else None
    recipient = {
        "recipient_name": str(person),
        "recipient_address": (
            "\n".join(filter(None, [address.address, address.postcode])) if address else ""
        ),
        "recipient_email": email.email if email else "",
    }
    if kind == LetterKind.REMOVAL:
        # Off the schedule, normal arrangements: nothing about the behaviour.
        return {
            **recipient,
            "logging_statement": content.REMOVAL_STATEMENT,
            "contact_restrictions": content.REMOVAL_CONTACT,
        }
    if kind == LetterKind.SPOC_NOTICE:
        return {**recipient, **_spoc_notice(source, decision, entry)}
    spoc = ""
    if source is not None and source.spoc_name:
        spoc = "\n".join(filter(None, [source.spoc_name, source.spoc_contact_details]))
    incidents = _incidents(entry, referral)
    if incidents:
        described = _describe(incidents)
    else:
        summary = entry.incident_summary if entry is not None else ""
        described = {
            "incident_description": _letter_safe(summary, entry)
            or (referral.summary if referral else ""),
            "incident_location": "",
            "incident_when": "",
        }
    values = {
        **recipient,
        **described,
        # The panel's reasons or the entry's letter-safe reason; never the internal notes.
        "why_unreasonable": _letter_safe(
            getattr(decision, "reasons", "") or (entry.reason if entry else ""), entry
        ),
        "spoc": spoc,
        "contact_restrictions": "\n".join(
            filter(
                None,
                [
                    getattr(source, "permitted_contact", ""),
                    getattr(source, "contact_restrictions", ""),
                ],
            )
        )
        or "There are no restrictions on how you may contact the council.",
        "service_restrictions": getattr(source, "service_restrictions", "")
        or "There are no restrictions to the council services you receive.",
        "consequences_of_breach": content.CONSEQUENCES,
    }
    if kind == LetterKind.EXPECTED_BEHAVIOUR:
        values["expected_behaviour"] = content.EXPECTED_BEHAVIOUR
    else:
        review_on = entry.review_due_on if entry is not None else None
        values["logging_statement"] = (
            content.LOGGING_STATEMENT_WITH_REVIEW.format(review_on=content.date_words(review_on))
            if review_on
            else content.LOGGING_STATEMENT
        )
        values["ombudsman"] = content.OMBUDSMAN
    if kind == LetterKind.HIGH:
        values["cease_and_desist"] = content.CEASE_AND_DESIST
        values["review_or_appeal"] = content.APPEAL_PROCESS
    elif kind == LetterKind.LOW_MEDIUM:
        values["review_or_appeal"] = content.REVIEW_PROCESS
    values.update(_divert(source, decision, entry))
    return values


def _divert(source, decision, entry) -> dict[str, str]:
    """The protocol: "The customer will be advised where a divert has been applied." """
    if not any(getattr(s, "email_divert", False) for s in (decision, entry)):
        return {}
    spoc_name = (getattr(source, "spoc_name", "") or "").strip()
    return {
        "email_divert_notice": content.EMAIL_DIVERT_NOTICE.format(
            spoc=f", {spoc_name}" if spoc_name else ""
        )
    }


def _spoc_notice(source, decision, entry) -> dict[str, str]:
    """Who the single point of contact is - their name, service and contact details as the
    decision records them - and how the individual may contact the council. Nothing about
    behaviour: a SPOC may be appointed without an unreasonable finding (the protocol)."""
    service = getattr(source, "spoc_service", None)
    spoc = "\n".join(
        filter(
            None,
            [
                ", ".join(filter(None, [source.spoc_name.strip(), str(service or "")])),
                source.spoc_contact_details.strip(),
            ],
        )
    )
    restrictions = "\n".join(
        filter(None, [source.permitted_contact.strip(), source.contact_restrictions.strip()])
    )
    return {
        "spoc": spoc,
        "contact_restrictions": restrictions or content.SPOC_NOTICE_CONTACT,
        **_divert(source, decision, entry),
    }
