"""Letters never block or get lost on a broker outage (issue 13, point 7): approving and sending by
email succeed with the broker down; the sweepers make the PDFs and email the letter, once."""

import time

import pytest
from django.core import mail

from correspondence import services
from correspondence.letter_pdfs import letter_pdf_make
from correspondence.models import Letter
from correspondence.tasks import letter_email, letters_email_unsent, letters_render_missing
from referrals.models import PersonEmail
from ubpanel.roles import Role

from .factories import UserFactory
from .test_broker_outage import QUICKLY_SECONDS, broker_down  # noqa: F401  (the fixture)
from .test_letter_workflow import _decided, _manager_owning

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter_to_email():
    item = _decided()
    manager = _manager_owning(item)
    PersonEmail.objects.create(
        person=item.referral.person, email="gary@example.com", email_normalised="gary@example.com"
    )
    assurance = UserFactory(roles=[Role.ASSURANCE_OFFICER])
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    return letter, manager


def _emails_to_gary():
    return [m for m in mail.outbox if m.to == ["gary@example.com"]]


@pytest.mark.worker
def test_approving_and_sending_with_the_broker_down_succeed_and_the_sweepers_make_good(
    broker_down,  # noqa: F811
    letter_to_email,
    django_capture_on_commit_callbacks,
    caplog,
):
    letter, manager = letter_to_email

    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=manager, letter=letter)
    assert time.monotonic() - began < QUICKLY_SECONDS
    assert "its sweeper will" in caplog.text
    # The PDF task never reached a worker: make it as the worker would, once the broker is back.
    letter_pdf_make(letter_id=letter.pk, version=letter.version)

    began = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_send(actor=manager, letter=letter, method="email")
    assert time.monotonic() - began < QUICKLY_SECONDS
    assert _emails_to_gary() == []
    assert Letter.objects.get(pk=letter.pk).emailed_at is None

    assert letters_email_unsent() == 1
    assert letters_email_unsent() == 0  # once only
    assert len(_emails_to_gary()) == 1
    assert Letter.objects.get(pk=letter.pk).emailed_at is not None


def test_the_email_task_sends_a_letter_once_however_often_it_runs(
    letter_to_email, django_capture_on_commit_callbacks
):
    letter, manager = letter_to_email
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=manager, letter=letter)
    with django_capture_on_commit_callbacks(execute=True):  # queues letter_email (eager here)
        services.letter_send(actor=manager, letter=letter, method="email")

    assert len(_emails_to_gary()) == 1
    assert letter_email(letter_id=letter.pk) is False
    assert letters_email_unsent() == 0
    assert letters_render_missing() == 0
    assert len(_emails_to_gary()) == 1


def test_a_letter_sent_by_post_is_never_emailed_by_the_sweeper(
    letter_to_email, django_capture_on_commit_callbacks
):
    letter, manager = letter_to_email
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_approve(actor=manager, letter=letter)
    services.letter_send(actor=manager, letter=letter, method="post")

    assert letters_email_unsent() == 0
    assert _emails_to_gary() == []
