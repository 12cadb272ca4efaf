from django.conf import settings
from django.db.models import QuerySet

from ubpanel.roles import CASE_ROLES, Role, user_roles

from .models import Person


def visible_people(user) -> QuerySet[Person]:
    """The people ``user`` may see: every case role sees all; a referring manager, their service's."""
    roles = user_roles(user)
    if roles & CASE_ROLES:
        return Person.objects.all()
    if Role.REFERRING_MANAGER in roles and user.service_id:
        return Person.objects.filter(recorded_by_service_id=user.service_id)
    return Person.objects.none()


def can_see_special_category(user) -> bool:
    """Health and disability information: the panel, Assurance and Adult Social Care only."""
    return bool(user_roles(user) & set(settings.SPECIAL_CATEGORY_ROLES))
