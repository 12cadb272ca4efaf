"""The referring manager's side: a draft saved to finish later, evidence, submitting it, and
answering the Assurance team's question."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from referrals.evidence import evidence_check
from referrals.models import EventKind, Evidence, Incident, Referral, ReferralSource
from referrals.notifications import notify_assurance, notify_legal_services, notify_referrer
from referrals.selectors import (
    may_delete_draft,
    may_edit_draft,
    may_escalate,
    may_provide_information,
    may_submit,
)
from ubpanel.audit import bulk_create_audited
from ubpanel.services import service

from .base import ReferralTransitionError, S, event, lock, move, refuse_unless
from .health_safety import health_safety_tell_of_violence

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
    "health_safety_reference",  # on a Health and Safety escalation's form only
)
SUBJECT_FIELDS = tuple(name for name in REFERRAL_FIELDS if name.startswith("subject_"))
INCIDENT_FIELDS = ("occurred_on", "occurred_at", "location", "description", "staff_affected")
NULLABLE = {"subject_date_of_birth", "number_of_incidents", "occurred_on", "occurred_at"}


@service
def referral_save_draft(
    *,
    actor,
    referral: Referral | None,
    fields: dict[str, Any],
    incidents: list[dict[str, Any]],
    source: ReferralSource = ReferralSource.WEB,
) -> Referral:
    """A referring manager saved a referral to finish later; or the Health and Safety Team an
    accident/incident report they are escalating to the panel (``source`` HEALTH_SAFETY)."""
    created = referral is None
    escalating = created and source == ReferralSource.HEALTH_SAFETY
    if created:
        if source not in (ReferralSource.WEB, ReferralSource.HEALTH_SAFETY):
            raise ValueError(f"A draft is not started from {source!r}.")
        referral = Referral(referrer=actor, service=actor.service, source=source)
    else:
        referral = lock(referral)
        if referral.status != S.DRAFT:
            raise ReferralTransitionError(
                f"{referral.reference} has been submitted: it can no longer be edited as a draft."
            )
    if escalating:
        refuse_unless(
            lambda user, _: may_escalate(user),
            actor,
            None,
            "Only Health and Safety escalate an accident/incident report.",
        )
    else:
        refuse_unless(
            may_edit_draft,
            actor,
            None if created else referral,
            "Only its referrer changes a draft.",
        )
    for name in REFERRAL_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(referral, name, value if value is not None or name in NULLABLE else "")
    referral.save()
    referral.incidents.all().delete()
    bulk_create_audited(
        Incident,
        (
            Incident(
                referral=referral,
                **{
                    k: row.get(k) if row.get(k) is not None or k in NULLABLE else ""
                    for k in INCIDENT_FIELDS
                },
            )
            for row in incidents
        ),
    )
    if created:
        message = (
            "Health and Safety began escalating an accident/incident report to the panel."
            if escalating
            else ""
        )
        event(referral, actor=actor, kind=EventKind.CREATED, to_status=S.DRAFT, message=message)
    return referral


@service
def referral_submit(*, actor, referral: Referral) -> Referral:
    """The manager sent the referral to the Assurance team (or Health and Safety their
    escalation of an accident/incident report).

    A journalist or publisher waits for legal advice before the protocol is applied. Violence a
    manager's referral records is told to Health and Safety (a link only, once).
    """
    referral = lock(
        referral, "referral_submit", refusal=lambda r: f"{r.reference} has already been submitted."
    )
    refuse_unless(may_submit, actor, referral, "Only its referrer submits a draft.")
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
    event(
        referral,
        actor=actor,
        kind=EventKind.SUBMITTED,
        from_status=S.DRAFT,
        to_status=to,
        message=message,
    )
    escalated = referral.source == ReferralSource.HEALTH_SAFETY
    notify_assurance(referral, "escalated" if escalated else "submitted")
    notify_referrer(referral)
    if to == S.AWAITING_LEGAL_ADVICE:
        notify_legal_services(referral)
    if not escalated:
        health_safety_tell_of_violence(referral, actor=actor)
    return referral


@service
def referral_draft_delete(*, actor, referral: Referral) -> str:
    """The manager deleted a draft they had not sent. Its incidents and evidence go with it; the
    audit trail keeps that it existed and who deleted it. Returns its reference."""
    referral = lock(referral)
    if referral.status != S.DRAFT:
        raise ReferralTransitionError(
            f"{referral.reference} has been sent: only a draft that has not been sent is deleted."
        )
    refuse_unless(may_delete_draft, actor, referral, "Only its referrer deletes a draft.")
    reference = referral.reference
    files = [evidence.file.name for evidence in referral.evidence.all()]
    storage = Evidence._meta.get_field("file").storage
    # django-auditlog writes the deletion of the referral, its incidents and its evidence.
    referral.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])
    return reference


@service
def evidence_add(*, actor, referral: Referral, upload: UploadedFile) -> Evidence:
    """Evidence was attached to the referral. The file is checked again here, whoever calls."""
    checked = evidence_check(upload)
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
    event(referral, actor=actor, kind=EventKind.EVIDENCE_ADDED, message=evidence.original_name)
    return evidence


@service
def referral_provide_information(*, actor, referral: Referral, answer: str) -> Referral:
    """The referrer answered Assurance's question; the referral is back with Assurance."""
    referral = move(
        referral,
        actor=actor,
        service="referral_provide_information",
        to=S.SUBMITTED,
        kind=EventKind.INFORMATION_PROVIDED,
        may=may_provide_information,
        why="Only the referrer answers the Assurance team's question.",
        message=answer,
    )
    notify_assurance(referral, "answered")
    return referral
