from datetime import date

from django.db import transaction

from ubpanel.audit import acting_as
from ubpanel.models import Service

from .models import Person


def person_create(
    *,
    actor,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    health_and_disability: str = "",
    recorded_by_service: Service | None = None,
) -> Person:
    """A person became known to the panel."""
    with acting_as(actor), transaction.atomic():
        return Person.objects.create(
            given_names=given_names,
            family_name=family_name,
            date_of_birth=date_of_birth,
            health_and_disability=health_and_disability,
            recorded_by_service=recorded_by_service,
            created_by=actor,
        )
