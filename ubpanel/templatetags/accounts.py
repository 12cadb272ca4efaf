"""What the page header and the sign-in page show about how someone signs in."""

from django import template
from django.conf import settings

from ubpanel import accounts

register = template.Library()


@register.filter
def may_change_password(user) -> bool:
    """``{% if user|may_change_password %}``: a local account that signs in with its password."""
    return accounts.may_change_password(user)


@register.simple_tag
def sso_provider_name() -> str:
    """Whose account the single sign-on button signs in with (the council's, by default)."""
    return settings.OIDC_PROVIDER_NAME
