from django import template

from ubpanel.form_errors import summary_errors

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ hints|get_item:value }}``: a dict lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key) or mapping.get(str(key))


@register.filter
def pairs(mapping):
    """``{% for key, value in data|pairs %}``: a dict's items even when it has a key called
    "items" (``data.items`` would look that key up instead)."""
    if not isinstance(mapping, dict):
        return []
    return list(mapping.items())


@register.filter
def error_summary(form):
    """``{% with entries=form|error_summary %}``: the error summary's (anchor, message) pairs,
    each message once (see ``ubpanel.form_errors.summary_errors``)."""
    return summary_errors(form)
