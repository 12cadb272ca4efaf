"""Template filters for letters: the easy-read version puts one idea on each line; a returned
questionnaire's answers as the page shows them."""

import re

from django import template

from correspondence.equalities import category_label
from correspondence.models import Characteristic, QuestionnaireReturn

register = template.Library()

# A sentence ends at ".", "!" or "?" followed by white space and a capital, a digit or a quote: a
# web address (www.lgo.org.uk) or a time (14.05) has no space after its dot, so it stays whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])")


@register.filter
def sentences(text: str) -> list[str]:
    """The text's sentences, one per item (and each line staff typed on its own too), for the
    easy-read letter's "one idea per line". Nothing is dropped or reworded."""
    lines = []
    for line in (text or "").splitlines():
        lines.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return lines


@register.filter
def questionnaire_answers(questionnaire: QuestionnaireReturn) -> list[tuple[str, str, str]]:
    """Each answered characteristic, in the questionnaire's order: (characteristic, category,
    their words); the category or the words blank where there are none (a return recorded
    before the categories has only words)."""
    categories, words = questionnaire.categories or {}, questionnaire.answers or {}
    return [
        (
            label,
            category_label(value, categories[value]) if value in categories else "",
            words.get(value, ""),
        )
        for value, label in Characteristic.choices
        if value in categories or words.get(value)
    ]
