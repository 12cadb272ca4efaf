"""What happens to letters: drafted (pre-filled from the decision and the entry), approved by the
sender the protocol names, made into PDFs by a Celery task, sent by post or email, and the
equalities questionnaire returns recorded. Views, tasks and commands call these.
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

from referrals.models import Person, Referral, RiskTier
from schedule.models import Entry
from ubpanel.audit import acting_as
from ubpanel.models import User
from ubpanel.roles import Role, has_role
from ubpanel.tasks import email_send

from . import content
from .dates import appeal_deadline
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
from .selectors import may_draft, may_send


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


def _prefill(
    kind: LetterKind, person: Person, entry: Entry | None, decision, referral: Referral | None
) -> dict[str, Any]:
    """The council's standard wording and what the records already say."""
    source = decision or entry
    incident = referral.incidents.first() if referral is not None else None
    address = person.addresses.first() if person.pk else None
    email = person.emails.first() if person.pk else None
    spoc = ""
    if source is not None and source.spoc_name:
        spoc = "\n".join(filter(None, [source.spoc_name, source.spoc_contact_details]))
    values = {
        "recipient_name": str(person),
        "recipient_address": (
            "\n".join(filter(None, [address.address, address.postcode])) if address else ""
        ),
        "recipient_email": email.email if email else "",
        "incident_description": (
            incident.description
            if incident
            else (
                entry.incident_summary
                if entry is not None
                else (referral.summary if referral else "")
            )
        ),
        "incident_location": incident.location if incident else "",
        "incident_when": (
            f"{incident.occurred_on:%-d %B %Y}"
            + (f" at {incident.occurred_at:%H:%M}" if incident.occurred_at else "")
            if incident
            else ""
        ),
        "why_unreasonable": getattr(decision, "reasons", "") or (entry.reason if entry else ""),
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
        values["logging_statement"] = content.LOGGING_STATEMENT
    if kind == LetterKind.HIGH:
        values["cease_and_desist"] = content.CEASE_AND_DESIST
        values["review_or_appeal"] = content.APPEAL_PROCESS
    elif kind == LetterKind.LOW_MEDIUM:
        values["review_or_appeal"] = content.REVIEW_PROCESS
    if source is not None and getattr(source, "email_divert", False):
        values["closing"] = (
            "Emails you send to council staff will be diverted to your single point of contact."
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
    if kind == LetterKind.HIGH and entry is not None and entry.tier != RiskTier.HIGH:
        raise ValidationError("A cease and desist letter from Legal Services is for high risk.")
    with acting_as(actor), transaction.atomic():
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
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status == LetterStatus.SENT:
            raise LetterError("The letter has been sent: it cannot change.")
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
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
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
        if letter is None or letter.version != version or letter.status == LetterStatus.DRAFT:
            return []  # changed since: the new version has its own task
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
    run from it (England and Wales bank holidays excluded)."""
    method = SendMethod(method)
    if not may_send(actor, letter):
        raise PermissionDenied(_sender_words(letter))
    with acting_as(actor), transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
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
        if method == SendMethod.EMAIL:
            from .tasks import letter_email

            letter_email.delay_on_commit(letter_id=letter.pk)
        return letter


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
