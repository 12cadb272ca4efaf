"""Notifications: a link and a reference, never the individual's details.

Every app tells people about waiting work through ``notify``, which writes one outbox row
(``Notification``) per recipient in the caller's transaction: the notification exists exactly when
the change it tells of does. Once the transaction commits, a task is queued to email each row; if
the broker is down the request still succeeds (one line is logged) and the sweeper
(``notifications_send_unsent``, every few minutes by beat) sends what is unsent when it returns.
``notification_deliver`` marks a row sent in the transaction that decides to send it, the row
held with SKIP LOCKED, so a task run twice, or racing the sweeper, sends one email.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import kombu.exceptions
import redis.exceptions
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Notification
from .roles import Role

logger = logging.getLogger(__name__)

# What a publish raises when the broker is down or unreachable: the row waits for the sweeper.
PUBLISH_ERRORS = (kombu.exceptions.KombuError, redis.exceptions.RedisError, OSError)
# One quick retry (a pooled connection gone stale after a broker restart), then the sweeper's turn.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def notify(
    *,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    reference: str = "",
    users: Iterable = (),
    addresses: Iterable[str] = (),
) -> list[Notification]:
    """Tell ``users`` (accounts: by email, and in the app) and ``addresses`` (team mailboxes such
    as Assurance's) that something waits. ``kind`` names the notification (``"appeal-received"``);
    ``link`` is an absolute URL to the work; ``reference`` the record's reference. ``subject`` and
    ``body`` must not name the individual or their health.

    One row per recipient (an address given twice, or a user's own address listed again, is told
    once); inactive accounts are not told. Returns the rows written."""
    subject = " ".join(subject.split())[:300]  # one line: a header cannot hold a newline
    rows: list[Notification] = []
    seen_users: set[int] = set()
    seen_addresses: set[str] = set()
    common = {"kind": kind, "subject": subject, "body": body, "link": link, "reference": reference}
    for user in users:
        if user is None or not user.is_active or user.pk in seen_users:
            continue
        seen_users.add(user.pk)
        address = (user.email or "").strip()
        if address.lower() in seen_addresses:
            continue
        if address:
            seen_addresses.add(address.lower())
        rows.append(Notification(user=user, address=address, **common))
    for address in addresses:
        address = (address or "").strip()
        if not address or address.lower() in seen_addresses:
            continue
        seen_addresses.add(address.lower())
        rows.append(Notification(address=address, **common))
    if not rows:
        return []
    for row in rows:  # one INSERT each (a handful): no bulk write skips what watches saves
        row.save()
    to_send = [row.pk for row in rows if row.address]
    if to_send:
        transaction.on_commit(functools.partial(_publish, to_send))
    return rows


def publish_on_commit(task, **kwargs) -> None:
    """Queue ``task`` once the transaction commits, as ``delay_on_commit`` does, but a broker that
    is down is one logged line, not an error page after the change was saved: only for tasks a
    sweeper makes good (the letters' PDFs and emails)."""

    def publish() -> None:
        try:
            task.apply_async(kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except PUBLISH_ERRORS as error:
            logger.warning(
                "%s: the broker did not take it; its sweeper will (%s)",
                task.name,
                type(error).__name__,
            )

    transaction.on_commit(publish)


def _publish(notification_ids: list[int]) -> None:
    """Queue the send task for each row. Runs after the commit, in the request: a broker that is
    down must not turn the saved change into an error page, so the first failure stops the
    publishing (one line logged) and the sweeper sends the rest."""
    for done, pk in enumerate(notification_ids):
        try:
            notification_send.apply_async(
                kwargs={"notification_id": pk}, retry=True, retry_policy=PUBLISH_RETRY_POLICY
            )
        except PUBLISH_ERRORS as error:
            logger.warning(
                "outbox: the broker did not take %d notification(s); the sweeper will send "
                "them (%s)",
                len(notification_ids) - done,
                type(error).__name__,
            )
            return


def notification_deliver(notification_id: int) -> bool:
    """Email one outbox row, once: held with SKIP LOCKED (another sender has it) and marked sent in
    the same transaction. If the mail server refuses, the row stays unsent, with the attempt
    counted and the error kept, for the sweeper. True if this call sent it."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, sent_at__isnull=True)
            .exclude(address="")
            .first()
        )
        if row is None:
            return False  # sent already, being sent, or in the app only
        row.attempts += 1
        try:
            send_mail(row.subject, row.email_text, settings.DEFAULT_FROM_EMAIL, [row.address])
        except OSError as error:  # smtplib's errors are OSErrors, as are refused connections
            row.last_error = f"{type(error).__name__}: {error}"[:300]
            row.save(update_fields=["attempts", "last_error"])
            logger.warning(
                "outbox: notification %s not sent (%s); the sweeper will try again",
                row.pk,
                type(error).__name__,
            )
            return False
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "sent_at"])
        return True


@shared_task
def notification_send(*, notification_id: int) -> bool:
    """Email one outbox row, exactly once however often this runs. (Here, beside ``notify``, so
    whatever imports ``notify`` can queue it; ``ubpanel.tasks`` holds the sweeper.)"""
    return notification_deliver(notification_id)


def unsent() -> QuerySet[Notification]:
    """The rows still to email, oldest first."""
    return (
        Notification.objects.filter(sent_at__isnull=True)
        .exclude(address="")
        .order_by("created_at", "pk")
    )


def notifications_send_unsent() -> int:
    """Send every unsent row (the sweeper): those whose task was never queued because the broker
    was down, was lost with a worker, or met a mail server that was down. Returns how many went."""
    sent = 0
    for pk in list(unsent().values_list("pk", flat=True)):
        try:
            sent += notification_deliver(pk)
        except Exception:  # one bad row must not stop the sweep; it stays unsent and is logged
            logger.exception("outbox: notification %s could not be sent", pk)
    return sent


def role_holders(*roles: Role) -> QuerySet:
    """The active accounts holding any of ``roles``: whom ``notify`` tells for a role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.label for role in roles])
        .distinct()
        .order_by("pk")
    )


def notifications_for(user) -> QuerySet[Notification]:
    """What ``user`` was told, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")
