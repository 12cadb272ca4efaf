"""A returned equalities questionnaire as the source of a reasonable adjustment (the
``questionnaire_return_reference`` hook): the referrals app records adjustments but sits below the
letters, so it asks the letters whether a return is about the person and visible to the user."""

from referrals.models import Person
from ubpanel.converters import parse_id

from .models import QuestionnaireReturn
from .selectors import visible_letters


def questionnaire_return_reference(*, user, person: Person, pk) -> str | None:
    return_id = parse_id(pk)
    if return_id is None:
        return None
    found = (
        QuestionnaireReturn.objects.filter(
            pk=return_id, letter__person=person, letter__in=visible_letters(user)
        )
        .select_related("letter")
        .first()
    )
    return found.letter.reference if found else None
