"""Returned equalities questionnaires: recorded by staff, and an underlying issue not known before
flags the entry for the panel and Adult Social Care."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from correspondence.equalities import CATEGORIES
from correspondence.models import Characteristic, Letter, LetterStatus, QuestionnaireReturn
from correspondence.selectors import may_record_questionnaire_return
from schedule.services import entry_flag_underlying_issue
from ubpanel.models import User
from ubpanel.outbox import notify
from ubpanel.services import service

from .base import LetterError


@service
def questionnaire_return_record(
    *,
    actor: User,
    letter: Letter,
    answers: dict[str, str],
    underlying_issue: bool,
    previously_known: bool,
    issue_details: str,
    received_on: date,
    categories: dict[str, str] | None = None,
) -> QuestionnaireReturn:
    """Staff recorded a returned equalities questionnaire: each answer in the category the
    committee counts (``categories``, from ``correspondence.equalities``) and, where it helps,
    in the individual's own words (``answers``). A return revealing an underlying issue not known
    before flags the entry and goes to the panel and Adult Social Care (the protocol: "the panel
    will refer to appropriate specialist colleagues")."""
    letter = (
        Letter.objects.select_for_update(of=("self",)).select_related("entry").get(pk=letter.pk)
    )
    if not letter.has_questionnaire or letter.status != LetterStatus.SENT:
        raise LetterError("Only a sent low, medium or high-risk letter carries a questionnaire.")
    if not may_record_questionnaire_return(actor, letter):
        raise PermissionDenied(
            "Assurance, the Operations Manager or Legal Services record returns."
        )
    _characteristics_only(answers)
    categories = _answered_categories(categories or {})
    if underlying_issue and not issue_details.strip():
        raise ValidationError(
            {"issue_details": "Say what the return says about the underlying issue."}
        )
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received cannot be in the future."})
    questionnaire = QuestionnaireReturn.objects.create(
        letter=letter,
        answers={key: value.strip() for key, value in answers.items() if value.strip()},
        categories=categories,
        underlying_issue=underlying_issue,
        previously_known=previously_known,
        issue_details=issue_details.strip(),
        received_on=received_on,
        recorded_by=actor,
    )
    if questionnaire.raises_new_issue and letter.entry_id:
        entry_flag_underlying_issue(
            actor=actor,
            entry=letter.entry,
            note=f"The equalities questionnaire returned for {letter.reference} reveals an "
            "underlying issue not known before.",
        )
        _notify_specialists(letter)
    return questionnaire


def category_refused(characteristic: str) -> str:
    """What a category not in the characteristic's list is told (the form says it too)."""
    return f"Choose a category for {Characteristic(characteristic).label.lower()} from the list"


def _characteristics_only(keys) -> None:
    unknown = set(keys) - set(Characteristic.values)
    if unknown:
        raise ValidationError(f"Not protected characteristics: {', '.join(sorted(unknown))}")


def _answered_categories(categories: dict[str, str]) -> dict[str, str]:
    """The answered characteristics and their categories; a category not in the characteristic's
    list is refused beside its field (``category_<characteristic>``)."""
    _characteristics_only(categories)
    answered = {key: value for key, value in categories.items() if value}
    errors = {
        f"category_{key}": category_refused(key)
        for key, value in answered.items()
        if value not in dict(CATEGORIES[key])
    }
    if errors:
        raise ValidationError(errors)
    return answered


def _notify_specialists(letter: Letter) -> None:
    """The email names the letter and entry, never the individual or their health. Adult Social
    Care open the entry (a case role); the letter and its return are Assurance's to open."""
    entry_link = settings.SITE_URL + reverse("schedule:entry_detail", args=[letter.entry_id])
    letter_link = settings.SITE_URL + reverse("correspondence:letter_detail", args=[letter.pk])
    notify(
        kind="underlying-issue",
        addresses=[settings.ASSURANCE_EMAIL, settings.ADULT_SOCIAL_CARE_EMAIL],
        link=entry_link,
        reference=letter.entry.reference,
        subject=f"Equalities questionnaire for {letter.reference}: an underlying issue to consider",
        body=(
            "A returned equalities questionnaire reveals an underlying issue the council did not "
            f"know of. The entry ({letter.entry.reference}) goes before the panel and Adult Social "
            f"Care.\n\nOpen the entry in ubpanel: {entry_link}\n"
            f"Assurance: the letter and the return are at {letter_link}\n"
        ),
    )
