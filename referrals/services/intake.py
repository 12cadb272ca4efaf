"""The spocassurance mailbox: each email becomes a draft referral for Assurance to triage, or is
kept, with the reason, when it cannot be read."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from referrals import mailbox
from referrals.evidence import evidence_check, evidence_files
from referrals.models import EventKind, InboundEmail, InboundEmailStatus, Referral, ReferralSource
from referrals.notifications import notify_assurance
from ubpanel.audit import acting_as
from ubpanel.services import service

from .base import S, event
from .drafts import evidence_add

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


@service
def _inbound_email_create_referral(
    *, raw: bytes, message_id: str, parsed: mailbox.ParsedEmail, actor
) -> InboundEmail:
    sender_user = _mailbox_sender_user(parsed.sender)
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
        named = f"{parsed.sender_name} <{parsed.sender}>" if parsed.sender_name else parsed.sender
        sender = f"{named} (not a ubpanel user)"
    else:
        sender = "an unknown sender"
    event(
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
    refused = [
        f"“{name}”: {why}" for name, why in _attachments_add(parsed, referral=referral, actor=actor)
    ]
    if refused:
        # Flagged on the email itself, so that Assurance opens the original to read them.
        inbound.failure_reason = "Attachments not added as evidence: " + "; ".join(refused) + "."
        inbound.save(update_fields=["failure_reason"])
    notify_assurance(referral, "mailbox")
    return inbound


def _attachments_add(parsed: mailbox.ParsedEmail, *, referral: Referral, actor) -> list:
    """Each attachment that passes the evidence check becomes evidence; (name, why) for the rest.

    Refused files stay in the original email; the timeline says which and why.
    """
    refused = []
    for attachment in parsed.attachments:
        upload = SimpleUploadedFile(
            attachment.name, attachment.content, content_type=attachment.declared_type or None
        )
        reasons = [attachment.problem] if attachment.problem else []
        if not reasons:
            try:
                evidence_check(upload)
                found = evidence_files(upload)
            except ValidationError as refusal:
                reasons = refusal.messages
            else:
                reasons = found.left_out
                for part in found.uploads:
                    try:
                        evidence_add(actor=actor, referral=referral, upload=part)
                    except ValidationError as refusal:
                        reasons = [*reasons, *refusal.messages]
        if reasons:
            why = " ".join(reasons)
            refused.append((attachment.name, why))
            event(
                referral,
                actor=actor,
                kind=EventKind.EVIDENCE_REFUSED,
                message=(
                    f"Attachment “{attachment.name}” was not added as evidence: "
                    f"{why}. It is kept in the original email."
                ),
            )
    return refused


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
        subject=mailbox.cut(parsed.subject, mailbox.SUBJECT_MAX),
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
