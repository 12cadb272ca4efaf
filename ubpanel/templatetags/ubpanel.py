from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ hints|get_item:value }}``: a dict lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key) or mapping.get(str(key))
