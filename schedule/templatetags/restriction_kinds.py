"""``decision.restriction_kinds|restriction_labels``: the kinds of restriction (stored as
``ContactRestriction`` values) in words, for the decision record and the entry."""

from django import template

from schedule.adjustments import restriction_labels as _labels

register = template.Library()


@register.filter
def restriction_labels(kinds) -> list[str]:
    return _labels(kinds if isinstance(kinds, list) else [])
