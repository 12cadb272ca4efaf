"""Notifications: a link and a reference, never the individual's details.

Every app tells people about waiting work through ``notify``. (Issue 13 turns this into an outbox
written in the caller's transaction and sent by a task; callers do not change.)
"""

from collections.abc import Iterable

from .tasks import email_send


def notify(
    *,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    reference: str = "",
    users: Iterable = (),
    addresses: Iterable[str] = (),
) -> None:
    """Tell ``users`` (accounts: by email, and in the app) and ``addresses`` (team mailboxes such
    as Assurance's) that something waits. ``kind`` names the notification (``"appeal-received"``);
    ``link`` is an absolute URL to the work; ``reference`` the record's reference. ``subject`` and
    ``body`` must not name the individual or their health."""
    to = [user.email for user in users if getattr(user, "email", "")] + list(addresses)
    to = list(dict.fromkeys(to))
    if not to:
        return
    text = body if not link else f"{body}\n\n{link}\n"
    email_send.delay_on_commit(to=to, subject=subject, body=text)
