"""Tasks for the real-worker tests; the worker imports this module with --include."""

from celery import shared_task

from referrals.models import Person


@shared_task
def person_rename_for_test(person_id: int, family_name: str) -> None:
    person = Person.objects.get(pk=person_id)
    person.family_name = family_name
    person.save()
