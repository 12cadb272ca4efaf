from django import template

from referrals.mailbox import cut

register = template.Library()


@register.filter
def cut_marked(text, limit):
    """``text`` no longer than ``limit`` characters, saying how much was cut ("… [cut: N characters]")."""
    return cut(str(text or ""), int(limit))
