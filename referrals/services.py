"""What happens to people and referrals. Views, tasks and commands call these; none re-implements a rule.

Each transition names the protocol's step in its docstring and refuses, with ReferralTransitionError,
a referral that is not in a status it can act on.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from ubpanel import hooks
from ubpanel.audit import acting_as
from ubpanel.entry_status import LIVE_STATUSES
from ubpanel.models import Service
from ubpanel.roles import Role, has_role

from . import mailbox, normalise
from .evidence import evidence_check
from .models import (
    EventKind,
    Evidence,
    InboundEmail,
    InboundEmailStatus,
    Incident,
    Person,
    PersonAddress,
    PersonAlias,
    PersonEmail,
    PersonPhone,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
)
from .notifications import notify_assurance, notify_legal_services, notify_referrer
from .selectors import REPEAT_CONFIRMABLE, live_entry_for


class ReferralTransitionError(Exception):
    """The referral is not in a status where that can happen."""


S = ReferralStatus
# Statuses Assurance can triage from. A mailbox draft is triaged as it stands: nobody else will
# complete it. A manager's own web draft is theirs until they submit it.
TRIAGEABLE = {S.SUBMITTED, S.AWAITING_LEGAL_ADVICE}
OPEN = {S.DRAFT, S.SUBMITTED, S.MORE_INFORMATION, S.AWAITING_LEGAL_ADVICE}
CLOSABLE = OPEN | {S.LETTER_RECOMMENDED, S.OUT_OF_SCOPE, S.READY_FOR_PANEL}

# Fields a referrer fills in on the form (everything else is set by the services).
REFERRAL_FIELDS = (
    "subject_given_names",
    "subject_family_name",
    "subject_aliases",
    "subject_date_of_birth",
    "subject_address",
    "subject_postcode",
    "subject_email",
    "subject_phone",
    "behaviour_categories",
    "number_of_incidents",
    "suggested_tier",
    "summary",
    "health_concerns",
    "health_details",
    "violence",
    "incident_report_reference",
    "hate_incident",
    "police_report",
    "police_reference",
    "police_not_reported_reason",
    "journalist",
    "legal_proceedings_intimated",
)
INCIDENT_FIELDS = ("occurred_on", "occurred_at", "location", "description", "staff_affected")
NULLABLE = {"subject_date_of_birth", "number_of_incidents", "occurred_on", "occurred_at"}


# --- People -------------------------------------------------------------------------------


def person_create(
    *,
    actor,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    health_and_disability: str = "",
    recorded_by_service: Service | None = None,
    aliases: list[str] = (),
    addresses: list[tuple[str, str]] = (),
    emails: list[str] = (),
    phones: list[str] = (),
) -> Person:
    """A person became known to the panel."""
    with acting_as(actor), transaction.atomic():
        person = Person.objects.create(
            given_names=given_names,
            family_name=family_name,
            search_name=normalise.name(f"{given_names} {family_name}"),
            date_of_birth=date_of_birth,
            health_and_disability=health_and_disability,
            recorded_by_service=recorded_by_service,
            created_by=actor,
        )
        _person_add_details(
            person, aliases=aliases, addresses=addresses, emails=emails, phones=phones
        )
        return person


def _person_add_details(person, *, aliases=(), addresses=(), emails=(), phones=()):
    known_aliases = set(person.aliases.values_list("search_name", flat=True))
    for alias in aliases:
        key = normalise.name(alias)
        if key and key not in known_aliases and key != person.search_name:
            PersonAlias.objects.create(person=person, name=alias.strip(), search_name=key)
            known_aliases.add(key)
    for address, postcode in addresses:
        if (address or "").strip() or postcode:
            key = normalise.postcode(postcode)
            if not person.addresses.filter(
                postcode_normalised=key, address=address.strip()
            ).exists():
                PersonAddress.objects.create(
                    person=person,
                    address=address.strip(),
                    postcode=normalise.postcode_display(postcode),
                    postcode_normalised=key,
                )
    for email in emails:
        key = normalise.email(email)
        if key and not person.emails.filter(email_normalised=key).exists():
            PersonEmail.objects.create(person=person, email=email.strip(), email_normalised=key)
    for phone in phones:
        key = normalise.phone(phone)
        if key and not person.phones.filter(number_normalised=key).exists():
            PersonPhone.objects.create(person=person, number=phone.strip(), number_normalised=key)


def has_live_entry(person: Person | None) -> bool:
    return person is not None and person.schedule_entries.filter(status__in=LIVE_STATUSES).exists()


# --- Referrals: drafting and submitting -----------------------------------------------------


def _event(referral, *, actor, kind, message="", from_status="", to_status=""):
    return ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        kind=kind,
        message=message,
        from_status=from_status,
        to_status=to_status,
    )


def _move(referral: Referral, *, actor, to: ReferralStatus, allowed, kind, message="") -> Referral:
    if referral.status not in allowed:
        raise ReferralTransitionError(
            f"{referral.reference} is {referral.get_status_display().lower()}: "
            f"it cannot be moved to “{to.label.lower()}” from there."
        )
    from_status = referral.status
    referral.status = to
    referral.save()
    _event(referral, actor=actor, kind=kind, message=message, from_status=from_status, to_status=to)
    notify_referrer(referral)
    return referral


def referral_save_draft(
    *,
    actor,
    referral: Referral | None,
    fields: dict[str, Any],
    incidents: list[dict[str, Any]],
) -> Referral:
    """A referring manager saved a referral to finish later."""
    with acting_as(actor), transaction.atomic():
        if referral is None:
            referral = Referral(referrer=actor, service=actor.service, source=ReferralSource.WEB)
            created = True
        else:
            if referral.status != S.DRAFT:
                raise ReferralTransitionError(
                    f"{referral.reference} has been submitted: it can no longer be edited as a draft."
                )
            created = False
        for name in REFERRAL_FIELDS:
            if name in fields:
                value = fields[name]
                setattr(referral, name, value if value is not None or name in NULLABLE else "")
        referral.save()
        referral.incidents.all().delete()
        Incident.objects.bulk_create(
            Incident(
                referral=referral,
                **{
                    k: row.get(k) if row.get(k) is not None or k in NULLABLE else ""
                    for k in INCIDENT_FIELDS
                },
            )
            for row in incidents
        )
        if created:
            _event(referral, actor=actor, kind=EventKind.CREATED, to_status=S.DRAFT)
        return referral


def referral_submit(*, actor, referral: Referral) -> Referral:
    """The manager sent the referral to the Assurance team.

    A journalist or publisher waits for legal advice before the protocol is applied.
    """
    with acting_as(actor), transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status != S.DRAFT:
            raise ReferralTransitionError(f"{referral.reference} has already been submitted.")
        to = S.AWAITING_LEGAL_ADVICE if referral.journalist else S.SUBMITTED
        referral.status = to
        referral.submitted_at = timezone.now()
        referral.save()
        message = (
            "The individual may be a journalist or publisher: legal advice is needed before the "
            "protocol is applied."
            if referral.journalist
            else ""
        )
        _event(
            referral,
            actor=actor,
            kind=EventKind.SUBMITTED,
            from_status=S.DRAFT,
            to_status=to,
            message=message,
        )
        notify_assurance(referral, "submitted")
        notify_referrer(referral)
        if to == S.AWAITING_LEGAL_ADVICE:
            notify_legal_services(referral)
        return referral


def evidence_add(*, actor, referral: Referral, upload: UploadedFile) -> Evidence:
    """Evidence was attached to the referral. The file is checked again here, whoever calls."""
    checked = evidence_check(upload)
    with acting_as(actor), transaction.atomic():
        evidence = Evidence(
            referral=referral,
            original_name=upload.name[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        evidence.file.save(f"{referral.pk}-{checked.sha256[:16]}", upload, save=False)
        evidence.save()
        _event(referral, actor=actor, kind=EventKind.EVIDENCE_ADDED, message=evidence.original_name)
        return evidence


# --- Triage by the Assurance team -------------------------------------------------------------


def _triage_allowed(referral: Referral) -> set:
    allowed = set(TRIAGEABLE)
    if referral.source == ReferralSource.MAILBOX:
        allowed.add(S.DRAFT)
    return allowed


def referral_request_information(*, actor, referral: Referral, question: str) -> Referral:
    """Assurance asked the referrer for more information before an assessment can be made."""
    with acting_as(actor), transaction.atomic():
        return _move(
            referral,
            actor=actor,
            to=S.MORE_INFORMATION,
            allowed=_triage_allowed(referral),
            kind=EventKind.INFORMATION_REQUESTED,
            message=question,
        )


def referral_provide_information(*, actor, referral: Referral, answer: str) -> Referral:
    """The referrer answered Assurance's question; the referral is back with Assurance."""
    with acting_as(actor), transaction.atomic():
        _move(
            referral,
            actor=actor,
            to=S.SUBMITTED,
            allowed={S.MORE_INFORMATION},
            kind=EventKind.INFORMATION_PROVIDED,
            message=answer,
        )
        notify_assurance(referral, "answered")
        return referral


def referral_recommend_letter(*, actor, referral: Referral, reason: str) -> Referral:
    """Assurance recommended that the service sends a letter setting out expected behaviours
    instead: inclusion on the schedule is for exceptional circumstances."""
    with acting_as(actor), transaction.atomic():
        return _move(
            referral,
            actor=actor,
            to=S.LETTER_RECOMMENDED,
            allowed=_triage_allowed(referral),
            kind=EventKind.STATUS_CHANGED,
            message=reason,
        )


def referral_mark_out_of_scope(*, actor, referral: Referral, reason: str) -> Referral:
    """Assurance found the referral outside the protocol (for example purely FOI or SAR contact)."""
    with acting_as(actor), transaction.atomic():
        return _move(
            referral,
            actor=actor,
            to=S.OUT_OF_SCOPE,
            allowed=_triage_allowed(referral),
            kind=EventKind.STATUS_CHANGED,
            message=reason,
        )


def referral_await_legal_advice(*, actor, referral: Referral, reason: str) -> Referral:
    """Legal advice is needed before the protocol is applied (journalists, publishers): Legal
    Services are asked, by email, to read the referral and record their advice."""
    with acting_as(actor), transaction.atomic():
        _move(
            referral,
            actor=actor,
            to=S.AWAITING_LEGAL_ADVICE,
            allowed=_triage_allowed(referral) - {S.AWAITING_LEGAL_ADVICE},
            kind=EventKind.STATUS_CHANGED,
            message=reason,
        )
        notify_legal_services(referral)
        return referral


def referral_record_legal_advice(*, actor, referral: Referral, advice: str) -> Referral:
    """Legal Services gave their advice; the referral goes back to the Assurance team, who triage
    it again with the advice in front of them.

    The advice is kept on the referral (and, for every round of advice, in its timeline, which
    shows it only to Assurance and Legal Services).
    """
    if not has_role(actor, Role.LEGAL_SERVICES):
        raise PermissionDenied("Only Legal Services record legal advice.")
    advice = (advice or "").strip()
    if not advice:
        raise ValidationError({"advice": "Enter your advice"})
    with acting_as(actor), transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status != S.AWAITING_LEGAL_ADVICE:
            raise ReferralTransitionError(
                f"{referral.reference} is {referral.get_status_display().lower()}: advice is "
                "recorded while it waits for Legal Services."
            )
        referral.legal_advice = advice
        referral.legal_advice_by = actor
        referral.legal_advice_at = timezone.now()
        _move(
            referral,
            actor=actor,
            to=S.SUBMITTED,
            allowed={S.AWAITING_LEGAL_ADVICE},
            kind=EventKind.LEGAL_ADVICE,
            message=advice,
        )
        notify_assurance(referral, "legal_advice")
        return referral


def referral_mark_ready_for_panel(*, actor, referral: Referral, note: str = "") -> Referral:
    """Assurance listed the referral for the Unreasonable Behaviours Panel; it joins the next
    arranged meeting's agenda at once (a new referral, or a referral back for someone on the
    schedule)."""
    with acting_as(actor), transaction.atomic():
        if referral.person_id is None:
            raise ReferralTransitionError(
                f"Link {referral.reference} to a person (an existing one or a new one) before "
                "listing it for the panel."
            )
        if referral.status == S.AWAITING_LEGAL_ADVICE:
            # The protocol: "advice should be sought from legal services before the protocol is
            # applied". The panel applies it: the referral waits for the advice.
            raise ReferralTransitionError(
                f"{referral.reference} is waiting for Legal Services' advice: the protocol asks "
                "for it before the protocol is applied. List it for the panel once they have "
                "advised."
            )
        _move(
            referral,
            actor=actor,
            to=S.READY_FOR_PANEL,
            allowed=_triage_allowed(referral),
            kind=EventKind.STATUS_CHANGED,
            message=note,
        )
        hooks.panel_work_waiting(actor=actor)
        return referral


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def referral_confirm_repeat_behaviour(*, actor, referral: Referral) -> Referral:
    """Assurance confirmed the referral as repeat behaviour by someone on the schedule.

    The protocol keeps a record for 12 months "as long as there is no repeat behaviour", so the
    entry's review moves to 12 months after the new incident (never earlier than it was); the
    referral and its incidents join the entry; and, the behaviour not having improved, the referral
    goes back to the panel.
    """
    if not has_role(actor, Role.ASSURANCE_OFFICER):
        raise PermissionDenied("Only the Assurance team confirms repeat behaviour.")
    with acting_as(actor), transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        triageable = referral.status in REPEAT_CONFIRMABLE or (
            referral.status == S.DRAFT and referral.source == ReferralSource.MAILBOX
        )
        if referral.status == S.AWAITING_LEGAL_ADVICE:
            raise ReferralTransitionError(
                f"{referral.reference} is waiting for Legal Services: their advice comes before "
                "the protocol is applied."
            )
        if not triageable:
            raise ReferralTransitionError(
                f"{referral.reference} is {referral.get_status_display().lower()}: only a "
                "referral waiting for triage can be confirmed as repeat behaviour."
            )
        if referral.person_id is None:
            raise ReferralTransitionError(
                f"Link {referral.reference} to the person on the schedule first."
            )
        entry = live_entry_for(referral)
        if entry is None:
            raise ReferralTransitionError(
                f"{referral.person} has no live entry on the schedule: list {referral.reference} "
                "for the panel as a new referral."
            )
        latest = referral.incidents.order_by("-occurred_on").first()
        today = timezone.localdate()
        if latest is not None:
            incident_on = min(latest.occurred_on, today)
            counted = f"the incident of {_long(incident_on)}"
        else:
            received = referral.submitted_at or referral.created_at
            incident_on = timezone.localdate(received) if received else today
            counted = f"the day it was received, {_long(incident_on)} (it records no incident)"
        entry = hooks.repeat_behaviour_confirmed(
            actor=actor, entry=entry, referral=referral, incident_on=incident_on
        )
        referral.repeat_behaviour = True
        referral.save()
        _event(
            referral,
            actor=actor,
            kind=EventKind.REPEAT_BEHAVIOUR,
            message=(
                f"Confirmed as repeat behaviour by {referral.person}, on the schedule as "
                f"{entry.reference}. The 12-month clock counts from {counted}: the review is "
                f"due {_long(entry.review_due_on)}."
            ),
        )
        return referral_mark_ready_for_panel(
            actor=actor,
            referral=referral,
            note=f"Repeat behaviour on {entry.reference}: referred back to the panel.",
        )


def referral_close(*, actor, referral: Referral, reason: str) -> Referral:
    """Assurance closed the referral with no further action."""
    with acting_as(actor), transaction.atomic():
        return _move(
            referral,
            actor=actor,
            to=S.CLOSED,
            allowed=CLOSABLE,
            kind=EventKind.STATUS_CHANGED,
            message=reason,
        )


def referral_decided_by_panel(*, actor, referral: Referral, message: str) -> Referral:
    """The Unreasonable Behaviours Panel decided the referral; the decision record is the panel's.

    The authority is the panel's vote, which the panel app checks before calling this.
    """
    with acting_as(actor), transaction.atomic():
        return _move(
            referral,
            actor=actor,
            to=S.DECIDED,
            allowed={S.READY_FOR_PANEL},
            kind=EventKind.STATUS_CHANGED,
            message=message,
        )


def referral_panel_deferred(*, actor, referral: Referral, message: str) -> ReferralEvent:
    """The panel deferred its decision on the referral to a later meeting: it stays ready for the
    panel, and its timeline says so."""
    with acting_as(actor), transaction.atomic():
        return _event(referral, actor=actor, kind=EventKind.STATUS_CHANGED, message=message)


def referral_merge(*, actor, referral: Referral, into: Referral, reason: str = "") -> Referral:
    """Assurance merged a duplicate referral into another about the same behaviour."""
    with acting_as(actor), transaction.atomic():
        if into.pk == referral.pk or into.status in {S.MERGED, S.CLOSED}:
            raise ReferralTransitionError(
                f"{referral.reference} can only be merged into another open referral."
            )
        referral.merged_into = into
        _move(
            referral,
            actor=actor,
            to=S.MERGED,
            allowed=OPEN - {S.DRAFT}
            | ({S.DRAFT} if referral.source == ReferralSource.MAILBOX else set()),
            kind=EventKind.MERGED,
            message=f"Merged into {into.reference}. {reason}".strip(),
        )
        Evidence.objects.filter(referral=referral).update(referral=into)
        _event(
            into,
            actor=actor,
            kind=EventKind.MERGED,
            message=f"{referral.reference} merged into this referral. {reason}".strip(),
        )
        return referral


SUBJECT_FIELDS = tuple(name for name in REFERRAL_FIELDS if name.startswith("subject_"))


def referral_update_subject(*, actor, referral: Referral, fields: dict[str, Any]) -> Referral:
    """Assurance recorded who the referral is about (a mailbox email names them only in its text)."""
    with acting_as(actor), transaction.atomic():
        if referral.person_id is not None or referral.status in {S.MERGED, S.CLOSED}:
            raise ReferralTransitionError(
                f"{referral.reference} is linked to a person or finished: its details are settled."
            )
        for name in SUBJECT_FIELDS:
            if name in fields:
                value = fields[name]
                setattr(referral, name, value if value is not None or name in NULLABLE else "")
        referral.save()
        _event(
            referral,
            actor=actor,
            kind=EventKind.STATUS_CHANGED,
            message="Details of the individual recorded.",
        )
        return referral


def referral_link_person(*, actor, referral: Referral, person: Person | None) -> Person:
    """The referral was matched to a person already known, or a new person was recorded.

    Linking to someone with a live schedule entry makes it repeat behaviour.
    """
    with acting_as(actor), transaction.atomic():
        if referral.status in {S.MERGED, S.CLOSED}:
            raise ReferralTransitionError(
                f"{referral.reference} is {referral.get_status_display().lower()}."
            )
        if person is None:
            person = person_create(
                actor=actor,
                given_names=referral.subject_given_names or "Unknown",
                family_name=referral.subject_family_name or "Unknown",
                date_of_birth=referral.subject_date_of_birth,
                recorded_by_service=referral.service,
            )
        _person_add_details(
            person,
            aliases=[a for a in referral.subject_aliases.splitlines() if a.strip()],
            addresses=[(referral.subject_address, referral.subject_postcode)],
            emails=[referral.subject_email],
            phones=[referral.subject_phone],
        )
        referral.person = person
        referral.repeat_behaviour = has_live_entry(person)
        referral.save()
        message = f"Linked to {person}."
        if referral.repeat_behaviour:
            message += " They are on the schedule already: this is repeat behaviour."
        _event(referral, actor=actor, kind=EventKind.PERSON_LINKED, message=message)
        return person


# --- The spocassurance mailbox ---------------------------------------------------------------

logger = logging.getLogger(__name__)


def inbound_email_import(*, raw: bytes, actor=None) -> InboundEmail:
    """An email to the spocassurance mailbox became a draft referral for Assurance to triage.

    Each Message-ID is imported once: the same email again returns the one already kept. An email
    that cannot be read, or imported, is kept all the same, with the reason and no referral.
    """
    message_id = mailbox.message_id(raw)
    existing = InboundEmail.objects.filter(message_id=message_id).first()
    if existing is not None:
        return existing
    try:
        parsed = mailbox.parse(raw)
    except mailbox.UnreadableEmail as error:
        return _inbound_email_keep_failed(
            raw=raw, message_id=message_id, reason=str(error), actor=actor
        )
    try:
        return _inbound_email_create_referral(
            raw=raw, message_id=message_id, parsed=parsed, actor=actor
        )
    except Exception as error:
        winner = InboundEmail.objects.filter(message_id=message_id).first()
        if winner is not None:
            # The poller and the command (or two pollers) imported it at the same moment.
            return winner
        logger.exception("Mailbox email %s could not be imported", message_id)
        return _inbound_email_keep_failed(
            raw=raw,
            message_id=message_id,
            reason=f"The email was read but could not be imported: {error}",
            actor=actor,
            parsed=parsed,
        )


def _inbound_email_create_referral(
    *, raw: bytes, message_id: str, parsed: mailbox.ParsedEmail, actor
) -> InboundEmail:
    sender_user = _mailbox_sender_user(parsed.sender)
    with acting_as(actor), transaction.atomic():
        referral = Referral.objects.create(
            status=S.DRAFT,
            source=ReferralSource.MAILBOX,
            referrer=sender_user,
            service=sender_user.service if sender_user else None,
            summary="\n\n".join(filter(None, [parsed.subject, parsed.body])),
        )
        if sender_user is not None:
            sender = f"{sender_user} <{parsed.sender}>"
        elif parsed.sender:
            named = (
                f"{parsed.sender_name} <{parsed.sender}>" if parsed.sender_name else parsed.sender
            )
            sender = f"{named} (not a ubpanel user)"
        else:
            sender = "an unknown sender"
        _event(
            referral,
            actor=actor,
            kind=EventKind.CREATED,
            to_status=S.DRAFT,
            message=f"Imported from the spocassurance mailbox: an email from {sender}.",
        )
        inbound = _inbound_email(
            raw=raw, message_id=message_id, parsed=parsed, status=InboundEmailStatus.IMPORTED
        )
        inbound.sender_user = sender_user
        inbound.referral = referral
        inbound.save()
        for attachment in parsed.attachments:
            upload = SimpleUploadedFile(attachment.name, attachment.content)
            try:
                evidence_add(actor=actor, referral=referral, upload=upload)
            except ValidationError as refusal:
                # Refused files stay in the original email; the timeline says which and why.
                _event(
                    referral,
                    actor=actor,
                    kind=EventKind.EVIDENCE_REFUSED,
                    message=(
                        f"Attachment “{upload.name}” was not added as evidence: "
                        f"{' '.join(refusal.messages)}. It is kept in the original email."
                    ),
                )
        notify_assurance(referral, "mailbox")
        return inbound


def _inbound_email_keep_failed(
    *, raw: bytes, message_id: str, reason: str, actor, parsed: mailbox.ParsedEmail | None = None
) -> InboundEmail:
    try:
        with acting_as(actor), transaction.atomic():
            inbound = _inbound_email(
                raw=raw,
                message_id=message_id,
                parsed=parsed or mailbox.ParsedEmail(),
                status=InboundEmailStatus.FAILED,
            )
            inbound.failure_reason = reason
            inbound.save()
            return inbound
    except IntegrityError:
        return InboundEmail.objects.get(message_id=message_id)


def _inbound_email(
    *, raw: bytes, message_id: str, parsed: mailbox.ParsedEmail, status: InboundEmailStatus
) -> InboundEmail:
    """An unsaved InboundEmail with the raw bytes already in private storage."""
    inbound = InboundEmail(
        message_id=message_id,
        status=status,
        sender=parsed.sender[:320],
        subject=parsed.subject[:998],
        body=parsed.body,
        sent_at=parsed.sent_at,
    )
    inbound.raw.save(f"{hashlib.sha256(raw).hexdigest()[:16]}.eml", ContentFile(raw), save=False)
    return inbound


def _mailbox_sender_user(address: str):
    """The active user the email is from; nobody when no one, or more than one, has that address."""
    if not address:
        return None
    users = list(
        get_user_model()
        .objects.filter(is_active=True, email__iexact=address)
        .select_related("service")[:2]
    )
    return users[0] if len(users) == 1 else None
