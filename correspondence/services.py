"""What happens to letters: drafted (pre-filled from the decision and the entry), approved by the
sender the protocol names, made into PDFs by a Celery task, sent by post or email, cancelled when
the entry comes off the schedule first, and the equalities questionnaire returns recorded. Views,
tasks and commands call these.

Removal is never communicated to the individual (the protocol): no letter is drafted, approved or
sent about a removed entry, or after a decision in ``NO_LETTER_OUTCOMES``, whatever the decision's
letter route says.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from referrals.models import Person, Referral
from schedule.dates import appeal_deadline
from schedule.models import Entry
from ubpanel.audit import acting_as
from ubpanel.models import User
from ubpanel.roles import Role, has_role
from ubpanel.tasks import email_send
from ubpanel.tiers import RiskTier

from . import content
from .models import (
    Characteristic,
    Letter,
    LetterKind,
    LetterPdf,
    LetterStatus,
    PdfVariant,
    QuestionnaireReturn,
    SendMethod,
)
from .selectors import may_draft, may_send, why_no_letter


class LetterError(Exception):
    """The letter is not in a state where that can happen."""


# What staff may change in a letter (everything the protocol asks it to say, and the addressee).
LETTER_FIELDS = (
    "recipient_name",
    "recipient_address",
    "recipient_email",
    "incident_description",
    "incident_location",
    "incident_when",
    "why_unreasonable",
    "expected_behaviour",
    "cease_and_desist",
    "spoc",
    "contact_restrictions",
    "service_restrictions",
    "consequences_of_breach",
    "logging_statement",
    "review_or_appeal",
    "ombudsman",
    "email_divert_notice",
    "closing",
    "sender_name",
    "sender_title",
)


def _kind_for(decision) -> LetterKind:
    from panel.models import LetterRoute

    route = decision.letter_route
    if route == LetterRoute.LEGAL_SERVICES:
        return LetterKind.HIGH
    if route == LetterRoute.OPERATIONS_MANAGER:
        return LetterKind.LOW_MEDIUM
    if route == LetterRoute.EXPECTED_BEHAVIOUR:
        return LetterKind.EXPECTED_BEHAVIOUR
    raise LetterError("The panel decided that no letter goes out for this decision.")


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


def _prefill(
    kind: LetterKind, person: Person, entry: Entry | None, decision, referral: Referral | None
) -> dict[str, Any]:
    """The council's standard wording and what the records already say."""
    source = decision or entry
    address = person.addresses.first() if person.pk else None
    email = person.emails.first() if person.pk else None
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
        "recipient_name": str(person),
        "recipient_address": (
            "\n".join(filter(None, [address.address, address.postcode])) if address else ""
        ),
        "recipient_email": email.email if email else "",
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
    if any(getattr(s, "email_divert", False) for s in (decision, entry)):
        spoc_name = (getattr(source, "spoc_name", "") or "").strip()
        values["email_divert_notice"] = content.EMAIL_DIVERT_NOTICE.format(
            spoc=f", {spoc_name}" if spoc_name else ""
        )
    return values


def letter_draft(
    *,
    actor: User,
    kind: str,
    person: Person,
    entry: Entry | None = None,
    decision=None,
    referral: Referral | None = None,
) -> Letter:
    """A letter was drafted, pre-filled from the panel's decision, the schedule entry and the
    referral. Staff edit it before it is approved."""
    kind = LetterKind(kind)
    if not may_draft(actor, kind):
        raise PermissionDenied("You cannot draft that kind of letter.")
    with acting_as(actor), transaction.atomic():
        if entry is not None:
            # As it is now, and held: an entry removed meanwhile gets no letter.
            entry = Entry.objects.select_for_update().get(pk=entry.pk)
        refused = why_no_letter(entry=entry, decision=decision)
        if refused:
            raise LetterError(refused)
        if kind == LetterKind.HIGH and entry is not None and entry.tier != RiskTier.HIGH:
            raise ValidationError("A cease and desist letter from Legal Services is for high risk.")
        letter = Letter(
            kind=kind,
            person=person,
            entry=entry,
            decision=decision,
            referral=referral,
            created_by=actor,
            sender_name=str(actor),
            sender_title=actor.job_title,
            **_prefill(kind, person, entry, decision, referral),
        )
        letter.save()
        return letter


def letter_draft_from_decision(*, actor: User, decision) -> Letter:
    """The letter the panel's decision calls for: from the Operations Manager for low and medium
    risk, from Legal Services for high risk, or a letter of expected behaviour."""
    item = decision.item
    if decision.status != "final":
        raise LetterError("The panel has not decided yet.")
    # Before the letter route: a removal is never communicated, whatever route the chair chose.
    refused = why_no_letter(entry=item.entry, decision=decision)
    if refused:
        raise LetterError(refused)
    person = item.referral.person if item.referral_id else item.entry.person
    entry = item.entry or person.schedule_entries.filter(status__in=("active",)).first()
    return letter_draft(
        actor=actor,
        kind=_kind_for(decision),
        person=person,
        entry=entry,
        decision=decision,
        referral=item.referral,
    )


def letter_update(*, actor: User, letter: Letter, fields: dict[str, Any]) -> Letter:
    """Staff changed the letter. A changed letter is a new version: an approval of the old
    wording no longer stands, and its PDFs are not this letter's any more."""
    unknown = set(fields) - set(LETTER_FIELDS)
    if unknown:
        raise TypeError(f"Not letter fields: {', '.join(sorted(unknown))}")
    if not may_draft(actor, letter.kind):
        raise PermissionDenied("You cannot change that kind of letter.")
    with acting_as(actor), transaction.atomic():
        letter = _lock(letter)
        if letter.status == LetterStatus.SENT:
            raise LetterError("The letter has been sent: it cannot change.")
        _refuse_if_it_cannot_go(letter)
        changed = {name: value for name, value in fields.items() if getattr(letter, name) != value}
        if not changed:
            return letter
        for name, value in changed.items():
            setattr(letter, name, value)
        letter.version += 1
        letter.status = LetterStatus.DRAFT
        letter.approved_by = None
        letter.approved_at = None
        letter.save()
        return letter


def letter_approve(*, actor: User, letter: Letter) -> Letter:
    """The sender the protocol names approved the letter: the Operations Manager for a low or
    medium risk letter or a letter of expected behaviour, Legal Services for a high-risk letter.
    A letter missing anything the protocol requires cannot be approved. Its PDFs are made by a
    Celery task once the approval is committed."""
    if not may_send(actor, letter):
        raise PermissionDenied(_sender_words(letter))
    with acting_as(actor), transaction.atomic():
        letter = _lock(letter)
        _refuse_if_it_cannot_go(letter)
        if letter.status != LetterStatus.DRAFT:
            raise LetterError(f"The letter is {letter.get_status_display().lower()} already.")
        missing = content.missing_elements(letter)
        if missing:
            raise ValidationError(
                "The letter cannot be approved: it does not say " + "; ".join(missing) + "."
            )
        letter.status = LetterStatus.APPROVED
        letter.approved_by = actor
        letter.approved_at = timezone.now()
        letter.save()
        _queue_pdfs(letter)
        return letter


def _lock(letter: Letter) -> Letter:
    """The letter, held, with its entry held first: the order a removal takes them in (the entry,
    then its letters, ``letters_cancel_for_entry``), so a letter approved or sent while its entry
    is removed waits for the removal rather than deadlocking with it, then sees it."""
    entry_id = Letter.objects.filter(pk=letter.pk).values_list("entry_id", flat=True).first()
    if entry_id is not None:
        list(Entry.objects.select_for_update().filter(pk=entry_id).values_list("pk"))
    return Letter.objects.select_for_update().get(pk=letter.pk)


def _refuse_if_it_cannot_go(letter: Letter) -> None:
    """A cancelled letter, or one about a removed entry or after a decision that sends nothing,
    is never approved, changed or sent."""
    if letter.status == LetterStatus.CANCELLED:
        raise LetterError(
            f"The letter was cancelled: it is never approved, changed or sent. "
            f"{letter.cancelled_reason}".strip()
        )
    refused = why_no_letter(entry=letter.entry, decision=letter.decision)
    if refused:
        raise LetterError(refused)


def _queue_pdfs(letter: Letter) -> None:
    from .tasks import letter_render_pdf

    letter_render_pdf.delay_on_commit(letter_id=letter.pk, version=letter.version)


def _sender_words(letter: Letter) -> str:
    if letter.kind == LetterKind.HIGH:
        return "Legal Services approve and send high-risk letters."
    return (
        "The Operations Manager (the referring service's manager) approves and sends this letter."
    )


def letter_pdf_make(*, letter_id: int, version: int) -> list[LetterPdf]:
    """Make the standard and large-print PDFs of one version of a letter, once.

    Idempotent: run twice, or again after a worker died part-way, it makes nothing more. The letter
    row is locked while the PDFs are made, so two runs cannot race; the file name is fixed by the
    letter, version and variant, so a file left by a run that died is overwritten, never kept
    beside a second copy; the database refuses a second row for the same version and variant.
    """
    from .pdf import letter_pdf

    made = []
    storage = LetterPdf._meta.get_field("file").storage
    if callable(storage):
        storage = storage()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.version != version:
            return []  # changed since: the new version has its own task
        if letter.status in (LetterStatus.DRAFT, LetterStatus.CANCELLED):
            return []  # not approved yet, or never to be sent
        done = set(letter.pdfs.filter(version=version).values_list("variant", flat=True))
        for variant in PdfVariant.values:
            if variant in done:
                continue
            rendered = letter_pdf(letter, variant)
            name = f"letters/{letter.pk}/{letter.reference}-v{version}-{variant}.pdf"
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(rendered.pdf))
            try:
                with transaction.atomic():
                    made.append(
                        LetterPdf.objects.create(
                            letter=letter,
                            version=version,
                            variant=variant,
                            file=saved,
                            sha256=hashlib.sha256(rendered.pdf).hexdigest(),
                            size=len(rendered.pdf),
                        )
                    )
            except IntegrityError:
                continue
    return made


def current_pdf(letter: Letter, variant: str = PdfVariant.STANDARD) -> LetterPdf | None:
    return letter.pdfs.filter(version=letter.version, variant=variant).first()


def letter_send(*, actor: User, letter: Letter, method: str) -> Letter:
    """The sender sent the approved letter, by post or by email with the PDF attached. The date
    sent is the date of notification: the entry records it, and the 28 working days for an appeal
    run from it (England and Wales bank holidays excluded). A letter telling the individual their
    emails are diverted to the SPOC records on the entry that they were told."""
    method = SendMethod(method)
    if not may_send(actor, letter):
        raise PermissionDenied(_sender_words(letter))
    with acting_as(actor), transaction.atomic():
        letter = _lock(letter)
        _refuse_if_it_cannot_go(letter)
        if letter.status != LetterStatus.APPROVED:
            raise LetterError(
                "Approve the letter before sending it."
                if letter.status == LetterStatus.DRAFT
                else "The letter has been sent already."
            )
        if current_pdf(letter) is None:
            raise LetterError("The PDF is still being made: try again in a moment.")
        if method == SendMethod.EMAIL and not letter.recipient_email:
            raise ValidationError("There is no email address to send it to.")
        today = timezone.localdate()
        letter.status = LetterStatus.SENT
        letter.sent_by = actor
        letter.sent_method = method
        letter.sent_on = today
        if letter.kind != LetterKind.EXPECTED_BEHAVIOUR:
            letter.appeal_deadline = appeal_deadline(today)
        letter.save()
        if letter.entry_id and letter.kind != LetterKind.EXPECTED_BEHAVIOUR:
            from schedule.services import entry_record_notification

            entry_record_notification(
                actor=actor, entry=letter.entry, notified_on=today, letter=letter.reference
            )
        if letter.entry_id and letter.email_divert_notice.strip():
            from schedule.services import entry_record_divert_told

            entry_record_divert_told(
                actor=actor, entry=letter.entry, told_on=today, letter=letter.reference
            )
        if method == SendMethod.EMAIL:
            from .tasks import letter_email

            letter_email.delay_on_commit(letter_id=letter.pk)
        return letter


def letters_cancel_for_entry(*, actor: User, entry: Entry, reason: str) -> list[Letter]:
    """The entry came off the schedule before its letter went - an emergency addition the panel
    did not ratify, a removal, an appeal upheld: every draft or approved letter about it is
    cancelled, with who, when and why, and is never approved, changed or sent. Nothing replaces
    it: removal is never communicated to the individual. A sent letter stays as it was.

    The authority is the panel's vote or the Monitoring Officer's decision, which the caller
    checks; it runs inside the caller's transaction when there is one."""
    reason = reason.strip() or f"{entry.reference} came off the schedule before the letter went."
    with acting_as(actor), transaction.atomic():
        letters = list(
            Letter.objects.select_for_update()
            .filter(entry=entry, status__in=(LetterStatus.DRAFT, LetterStatus.APPROVED))
            .order_by("pk")
        )
        now = timezone.now()
        for letter in letters:
            letter.status = LetterStatus.CANCELLED
            letter.cancelled_by = actor
            letter.cancelled_at = now
            letter.cancelled_reason = reason
            # One save each: the audit trail records every letter cancelled.
            letter.save()
        return letters


def questionnaire_return_record(
    *,
    actor: User,
    letter: Letter,
    answers: dict[str, str],
    underlying_issue: bool,
    previously_known: bool,
    issue_details: str,
    received_on: date,
) -> QuestionnaireReturn:
    """Staff recorded a returned equalities questionnaire. A return revealing an underlying issue
    not known before flags the entry and goes to the panel and Adult Social Care (the protocol:
    "the panel will refer to appropriate specialist colleagues")."""
    if not has_role(actor, Role.ASSURANCE_OFFICER, Role.REFERRING_MANAGER, Role.LEGAL_SERVICES):
        raise PermissionDenied(
            "Assurance, the Operations Manager or Legal Services record returns."
        )
    unknown = set(answers) - set(Characteristic.values)
    if unknown:
        raise ValidationError(f"Not protected characteristics: {', '.join(sorted(unknown))}")
    if underlying_issue and not issue_details.strip():
        raise ValidationError("Say what the return says about the underlying issue.")
    if received_on > timezone.localdate():
        raise ValidationError("The date received cannot be in the future.")
    with acting_as(actor), transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",)).select_related("entry").get(pk=letter.pk)
        )
        if not letter.has_questionnaire or letter.status != LetterStatus.SENT:
            raise LetterError(
                "Only a sent low, medium or high-risk letter carries a questionnaire."
            )
        questionnaire = QuestionnaireReturn.objects.create(
            letter=letter,
            answers={key: value.strip() for key, value in answers.items() if value.strip()},
            underlying_issue=underlying_issue,
            previously_known=previously_known,
            issue_details=issue_details.strip(),
            received_on=received_on,
            recorded_by=actor,
        )
        if questionnaire.raises_new_issue and letter.entry_id:
            from schedule.services import entry_flag_underlying_issue

            entry_flag_underlying_issue(
                actor=actor,
                entry=letter.entry,
                note=f"The equalities questionnaire returned for {letter.reference} reveals an "
                "underlying issue not known before.",
            )
            _notify_specialists(letter)
        return questionnaire


def _notify_specialists(letter: Letter) -> None:
    """The email names the letter and entry, never the individual or their health."""
    link = settings.SITE_URL + reverse("correspondence:letter_detail", args=[letter.pk])
    email_send.delay_on_commit(
        to=[settings.ASSURANCE_EMAIL, settings.ADULT_SOCIAL_CARE_EMAIL],
        subject=f"Equalities questionnaire for {letter.reference}: an underlying issue to consider",
        body=(
            "A returned equalities questionnaire reveals an underlying issue the council did not "
            f"know of. The entry ({letter.entry.reference}) goes before the panel and Adult Social "
            f"Care.\n\nOpen the letter in ubpanel: {link}\n"
        ),
    )
