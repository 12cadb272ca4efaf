"""A letter's PDFs made by a real Celery worker, in its own process, on the Redis broker and the
PostgreSQL test database: once the approval commits, and again after a worker died part-way."""

import hashlib
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import storages

from correspondence.models import LetterPdf, PdfVariant
from correspondence.services import letter_approve
from correspondence.tasks import letters_render_missing
from correspondence.variants import ALWAYS_MADE
from referrals.models import Person
from ubpanel.celery import app
from ubpanel.roles import Role

from .celery_tasks import person_rename_for_test
from .factories import LetterFactory, PersonFactory, UserFactory
from .workers import DEADLINE_SECONDS, forget_queue, wait_for, worker_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def start_worker(broker_url, tmp_path, monkeypatch):
    """``start_worker(**env)`` starts `celery worker` (solo pool) on a queue of this test's own,
    writing to the same private storage folder as the test; the test's tasks go to that queue."""
    queue = f"test-letters-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    started = []

    def start(**extra_env):
        log = open(tmp_path / f"worker-{len(started)}.log", "w+")  # noqa: SIM115
        # The autouse fixture keeps this test's private files in tmp_path/private; the worker's
        # settings put them in MEDIA_ROOT/private.
        process = worker_start(
            queue=queue, broker_url=broker_url, stdout=log, MEDIA_ROOT=str(tmp_path), **extra_env
        )
        started.append((process, log))
        return process

    assert Path(storages["private"].location) == tmp_path / "private"
    yield start
    for process, log in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        log.seek(0)
        print(log.read())
        log.close()
    forget_queue(broker_url, queue)


def _folder(letter) -> Path:
    return Path(storages["private"].location) / "letters" / str(letter.pk)


def _names(letter) -> list[str]:
    return sorted(f"{letter.reference}-v1-{variant}.pdf" for variant in ALWAYS_MADE)


def _files(letter) -> list[str]:
    folder = _folder(letter)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _made(letter) -> int:
    return LetterPdf.objects.filter(letter=letter).count()


def _assert_one_good_pdf_per_variant(letter):
    assert sorted(LetterPdf.objects.filter(letter=letter).values_list("variant", flat=True)) == (
        sorted(ALWAYS_MADE)
    )
    assert _files(letter) == _names(letter)
    for pdf in LetterPdf.objects.filter(letter=letter):
        body = (_folder(letter) / Path(pdf.file.name).name).read_bytes()
        assert body.startswith(b"%PDF-")
        assert pdf.sha256 == hashlib.sha256(body).hexdigest()


def test_a_real_worker_makes_the_pdfs_once_the_approval_is_committed(start_worker):
    worker = start_worker()
    legal = UserFactory(roles=[Role.LEGAL_SERVICES])
    letter = LetterFactory()

    letter_approve(actor=legal, letter=letter)

    assert wait_for(lambda: _made(letter) == len(ALWAYS_MADE)), "no PDFs before the deadline"
    assert worker.poll() is None
    _assert_one_good_pdf_per_variant(letter)


def test_a_worker_that_dies_mid_letter_is_made_good_by_the_sweeper_without_a_duplicate(
    start_worker,
):
    doomed = start_worker(UBPANEL_TEST_PDF_DIE_AFTER_FILE="1")
    legal = UserFactory(roles=[Role.LEGAL_SERVICES])
    letter = LetterFactory()

    letter_approve(actor=legal, letter=letter)

    # It died after writing the first PDF and before committing: a file on disk, no row.
    assert doomed.wait(timeout=DEADLINE_SECONDS) == 1
    assert _made(letter) == 0
    assert _files(letter) == [f"{letter.reference}-v1-{PdfVariant.STANDARD}.pdf"]

    # A fresh worker consumes the queue (a probe task runs), yet nothing comes back by itself:
    # the lost message waits, unacknowledged, for Redis's 12-hour visibility timeout.
    start_worker()
    person = PersonFactory(family_name="Before")
    person_rename_for_test.delay(person.pk, "Probed")
    assert wait_for(lambda: Person.objects.get(pk=person.pk).family_name == "Probed")
    assert _made(letter) == 0

    # The sweeper (beat runs it every 5 minutes) queues it again.
    assert letters_render_missing() == 1

    assert wait_for(lambda: _made(letter) == len(ALWAYS_MADE)), "no PDFs before the deadline"
    _assert_one_good_pdf_per_variant(letter)
    assert letters_render_missing() == 0
