"""Tasks for the real-worker tests; the worker imports this module with --include."""

from celery import shared_task

from referrals.models import Person


@shared_task
def person_rename_for_test(person_id: int, family_name: str) -> None:
    person = Person.objects.get(pk=person_id)
    person.family_name = family_name
    person.save()


# --- TEST HOOK: a worker that dies part-way through a letter (tests/test_letter_worker.py) ------

import os  # noqa: E402  (appended section)

if os.environ.get("UBPANEL_TEST_PDF_DIE_AFTER_FILE") == "1":
    # Only a worker started by the test with this variable set (and --include tests.celery_tasks)
    # reads it: the process dies at once - no clean-up, no acknowledgement, no commit - right after
    # the first letter PDF is written to the private storage and before letter_pdf_make commits
    # its row, as a worker killed by the OOM killer or a redeploy would.
    from django.core.files.storage import storages  # noqa: E402

    _private = storages["private"]
    _private_save = _private.save

    def _save_then_die(name, content, max_length=None):
        saved = _private_save(name, content, max_length=max_length)
        if name.startswith("letters/"):
            os._exit(1)
        return saved

    _private.save = _save_then_die
