"""The one way an object view finds its object.

Selectors (``visible_<things>(user)`` in each app's ``selectors.py``) say what a user may see; a
view fetches through them with this ``get_object_or_404``, so a user without access gets the same
404 as for something that does not exist, and the refusal lands in the audit trail::

    person = get_object_or_404(visible_people(request.user), pk=pk)

Django's own ``get_object_or_404`` is banned by ruff (TID251) so nobody skips the audit by accident.
"""

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from . import audit
from .converters import parse_id

# Lookups that name a record by its id.
ID_LOOKUPS = ("pk", "id", "pk__exact", "id__exact")


def _malformed_id(queryset: QuerySet, lookup: dict) -> bool:
    """An id that no record can have: not a whole number, or too large for the id column. Such a
    value (a tampered button, 2**63, a NUL, 100,000 digits) is never sent to the database."""
    pk_field = queryset.model._meta.pk
    if not isinstance(pk_field, models.IntegerField | models.AutoField):
        return False
    return any(key in lookup and parse_id(lookup[key]) is None for key in ID_LOOKUPS)


def get_object_or_404(queryset: QuerySet, **lookup):
    try:
        if _malformed_id(queryset, lookup):
            raise queryset.model.DoesNotExist
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        # A malformed id is treated like a missing one, and audited the same way.
        audit.record_denied(queryset.model, lookup)
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
