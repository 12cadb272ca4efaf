"""Legal Services' advice: asked for before the protocol is applied (journalists, publishers, or
anything Assurance ask them about), recorded by them, and back to Assurance with it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals.models import EventKind, Referral
from referrals.notifications import notify_assurance, notify_legal_services
from referrals.selectors import may_await_legal_advice, may_record_legal_advice
from ubpanel.services import service

from .base import S, lock, move, refuse_unless


@service
def referral_await_legal_advice(*, actor, referral: Referral, reason: str) -> Referral:
    """Legal advice is needed before the protocol is applied (journalists, publishers): Legal
    Services are asked, by email, to read the referral and record their advice."""
    referral = move(
        referral,
        actor=actor,
        service="referral_await_legal_advice",
        to=S.AWAITING_LEGAL_ADVICE,
        kind=EventKind.STATUS_CHANGED,
        may=may_await_legal_advice,
        message=reason,
    )
    notify_legal_services(referral)
    return referral


@service
def referral_record_legal_advice(*, actor, referral: Referral, advice: str) -> Referral:
    """Legal Services gave their advice; the referral goes back to the Assurance team, who triage
    it again with the advice in front of them.

    The advice is kept on the referral (and, for every round of advice, in its timeline, which
    shows it only to Assurance and Legal Services).
    """
    referral = lock(
        referral,
        "referral_record_legal_advice",
        refusal=lambda r: (
            f"{r.reference} is {r.get_status_display().lower()}: advice is recorded while it "
            "waits for Legal Services."
        ),
    )
    refuse_unless(
        may_record_legal_advice, actor, referral, "Only Legal Services record legal advice."
    )
    advice = (advice or "").strip()
    if not advice:
        raise ValidationError({"advice": "Enter your advice"})
    referral = move(
        referral,
        actor=actor,
        service="referral_record_legal_advice",
        to=S.SUBMITTED,
        kind=EventKind.LEGAL_ADVICE,
        message=advice,
        changes={
            "legal_advice": advice,
            "legal_advice_by": actor,
            "legal_advice_at": timezone.now(),
        },
    )
    notify_assurance(referral, "legal_advice")
    return referral
