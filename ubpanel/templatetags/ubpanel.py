from django import template

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
