"""The outbox (ubpanel.outbox): rows written in the caller's transaction, each emailed exactly once,
whatever is unsent swept up, and a mail server that refuses leaves the row for the sweeper."""

import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from ubpanel import outbox
from ubpanel.models import Notification
from ubpanel.tasks import notifications_sweep

from .factories import UserFactory


def _tell(**kwargs):
    defaults = {
        "kind": "test",
        "subject": "Referral REF-1 needs you",
        "body": "Referral REF-1 waits.",
        "link": "http://ubpanel.test/referrals/1/",
        "reference": "REF-1",
    }
    return outbox.notify(**{**defaults, **kwargs})


@pytest.mark.django_db
def test_one_row_per_recipient_each_address_once_and_inactive_accounts_left_out(
    django_capture_on_commit_callbacks,
):
    told = UserFactory(email="told@council.example")
    no_email = UserFactory(email="")
    gone = UserFactory(email="gone@council.example", is_active=False)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        rows = _tell(
            users=[told, told, no_email, gone],
            addresses=["team@council.example", "TOLD@council.example", ""],
        )

    assert [(row.user, row.address) for row in rows] == [
        (told, "told@council.example"),
        (no_email, ""),
        (None, "team@council.example"),
    ]
    assert len(queued) == 1  # one publish after the commit, for the rows that have an address
    assert sorted(m.to[0] for m in mail.outbox) == ["team@council.example", "told@council.example"]
    [message] = [m for m in mail.outbox if m.to == ["told@council.example"]]
    assert message.subject == "Referral REF-1 needs you"
    assert message.body.endswith("Open it in ubpanel: http://ubpanel.test/referrals/1/\n")
    assert Notification.objects.get(address="").sent_at is None  # shown in the app only


@pytest.mark.django_db
def test_a_link_the_body_gives_already_is_not_repeated(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _tell(addresses=["team@council.example"], body="Open: http://ubpanel.test/referrals/1/\n")

    assert mail.outbox[0].body.count("http://ubpanel.test/referrals/1/") == 1


@pytest.mark.django_db(transaction=True)
def test_the_rows_are_written_in_the_callers_transaction_and_rolled_back_with_it():
    class Refused(Exception):
        pass

    def change_then_refuse():
        with transaction.atomic():
            _tell(addresses=["team@council.example"])
            assert Notification.objects.count() == 1
            raise Refused

    with pytest.raises(Refused):
        change_then_refuse()

    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_queued_until_the_transaction_commits():
    with transaction.atomic():
        _tell(addresses=["team@council.example"])
        assert mail.outbox == []

    [row] = Notification.objects.all()
    assert row.sent_at is not None
    assert row.attempts == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refusing_mail_server_leaves_the_row_unsent_for_the_sweeper(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(outbox, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        [row] = _tell(addresses=["team@council.example"])

    row.refresh_from_db()
    assert (row.sent_at, row.attempts) == (None, 1)
    assert row.last_error.startswith("SMTPServerDisconnected")
    assert "the sweeper will try again" in caplog.text

    monkeypatch.undo()
    assert notifications_sweep.delay().get() == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 2
    assert [m.to for m in mail.outbox] == [["team@council.example"]]


@pytest.mark.django_db
def test_the_sweeper_sends_what_is_unsent_once():
    # Written without a commit ever reaching the broker: as if it had been down.
    rows = outbox.Notification.objects.bulk_create(
        [
            Notification(kind="test", subject=f"S{n}", body="B", address=f"t{n}@council.example")
            for n in range(3)
        ]
    )

    assert outbox.notifications_send_unsent() == 3
    assert outbox.notifications_send_unsent() == 0
    assert sorted(m.subject for m in mail.outbox) == ["S0", "S1", "S2"]
    assert all(outbox.notification_deliver(row.pk) is False for row in rows)
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_one_email(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE SKIP LOCKED needs PostgreSQL (SQLite has no row locks)")
    row = Notification.objects.create(
        kind="test", subject="Once", body="B", address="team@council.example"
    )
    # The first sender holds the row while it talks to the mail server; the second comes then.
    holding = threading.Event()
    release = threading.Event()
    real_send = outbox.send_mail

    def slow_send(*args, **kwargs):
        holding.set()
        assert release.wait(30)
        return real_send(*args, **kwargs)

    monkeypatch.setattr(outbox, "send_mail", slow_send)
    results = {}

    def sender(name):
        try:
            task = outbox.notification_send.apply(kwargs={"notification_id": row.pk})
            results[name] = task.result
        except Exception as error:  # shown in the assertion below
            results[name] = error
        finally:
            connection.close()

    first = threading.Thread(target=sender, args=("first",))
    first.start()
    assert holding.wait(30)
    second = threading.Thread(target=sender, args=("second",))
    second.start()
    second.join(30)
    release.set()
    first.join(30)

    assert results == {"first": True, "second": False}
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.sent_at is not None
