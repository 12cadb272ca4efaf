"""``user|may_record_adjustment:person``: whether to offer "Record a reasonable adjustment" on
pages of the apps above (the referral's health, a questionnaire return), which do not otherwise
pass the flag. The rule is ``referrals.selectors.may_record_adjustment``."""

from django import template

from referrals.selectors import may_record_adjustment as _may_record

register = template.Library()


@register.filter
def may_record_adjustment(user, person) -> bool:
    return person is not None and _may_record(user, person)
