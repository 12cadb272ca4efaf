"""The one way an object view finds its object.

Selectors (``visible_<things>(user)`` in each app's ``selectors.py``) say what a user may see; a
view fetches through them with this ``get_object_or_404``, so a user without access gets the same
404 as for something that does not exist, and the refusal lands in the audit trail::

    person = get_object_or_404(visible_people(request.user), pk=pk)

Django's own ``get_object_or_404`` is banned by ruff (TID251) so nobody skips the audit by accident.
"""

from django.db.models import QuerySet
from django.http import Http404

from . import audit


def get_object_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        # A malformed id is treated like a missing one, and audited the same way.
        audit.record_denied(queryset.model, lookup)
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
