import imaplib
import logging
import ssl

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ubpanel.jobs import scheduled_job

from .mailbox import message_id
from .models import InboundEmail, InboundEmailStatus
from .services import inbound_email_import

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 60


@scheduled_job
def mailbox_poll() -> dict[str, int]:
    """Import the spocassurance mailbox's unread emails as draft referrals (run by beat).

    Each email is marked as read (and moved, if MAILBOX_IMAP_PROCESSED_FOLDER is set) only once it
    is kept in ubpanel, so an email that could not be stored is tried again at the next poll. One bad
    email never stops the others.
    """
    counts = {"imported": 0, "failed": 0, "duplicates": 0, "errors": 0}
    if not settings.MAILBOX_IMAP_HOST:
        return counts
    with _connect() as imap:  # signs out however the block ends
        imap.login(settings.MAILBOX_IMAP_USER, settings.MAILBOX_IMAP_PASSWORD)  # raises if refused
        capabilities = _capabilities(imap)
        _ok(imap.select(_quoted(settings.MAILBOX_IMAP_FOLDER)), "open the mailbox folder")
        processed = settings.MAILBOX_IMAP_PROCESSED_FOLDER
        if processed:
            imap.create(_quoted(processed))  # "NO" when it exists already, which is fine
        _, data = _ok(imap.uid("SEARCH", None, "UNSEEN"), "search for unread emails")
        for uid in data[0].split() if data and data[0] else []:
            try:
                raw = _fetch(imap, uid)
                # Already kept (read again after a crash, or imported by hand): not a new import.
                duplicate = InboundEmail.objects.filter(message_id=message_id(raw)).exists()
                inbound = inbound_email_import(raw=raw)
                _mark_processed(imap, uid, processed, capabilities)
            except imaplib.IMAP4.abort:
                raise  # the connection is lost: the rest wait for the next poll
            except Exception:
                logger.exception("Mailbox email UID %s could not be imported", uid.decode())
                counts["errors"] += 1
                continue
            if duplicate:
                counts["duplicates"] += 1
            elif inbound.status == InboundEmailStatus.FAILED:
                counts["failed"] += 1
            else:
                counts["imported"] += 1
        imap.close()
    logger.info(
        "Mailbox poll: %(imported)s imported, %(failed)s failed, %(duplicates)s duplicates, "
        "%(errors)s errors",
        counts,
    )
    return counts


def _connect() -> imaplib.IMAP4:
    host, port = settings.MAILBOX_IMAP_HOST, settings.MAILBOX_IMAP_PORT
    security = settings.MAILBOX_IMAP_SECURITY
    if security == "ssl":
        return imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=IMAP_TIMEOUT_SECONDS
        )
    if security not in ("starttls", "plain"):
        raise ImproperlyConfigured(
            f"MAILBOX_IMAP_SECURITY {security!r} is not ssl, starttls or plain"
        )
    imap = imaplib.IMAP4(host, port, timeout=IMAP_TIMEOUT_SECONDS)
    if security == "starttls":
        imap.starttls(ssl_context=ssl.create_default_context())
    return imap


def _capabilities(imap: imaplib.IMAP4) -> set[str]:
    """What the server can do once signed in (servers announce more than before sign-in)."""
    _, data = _ok(imap.capability(), "list its capabilities")
    return set(data[-1].decode().upper().split())


def _fetch(imap: imaplib.IMAP4, uid: bytes) -> bytes:
    # BODY.PEEK leaves the email unread until it is safely imported.
    _, data = _ok(imap.uid("FETCH", uid, "(BODY.PEEK[])"), f"fetch email UID {uid.decode()}")
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise imaplib.IMAP4.error(f"The server sent no content for email UID {uid.decode()}")


def _mark_processed(
    imap: imaplib.IMAP4, uid: bytes, processed_folder: str, capabilities: set[str]
) -> None:
    _ok(imap.uid("STORE", uid, "+FLAGS", r"(\Seen)"), "mark an email as read")
    if not processed_folder:
        return
    if "MOVE" in capabilities:
        _ok(imap.uid("MOVE", uid, _quoted(processed_folder)), "move an email")
        return
    _ok(imap.uid("COPY", uid, _quoted(processed_folder)), "copy an email")
    _ok(imap.uid("STORE", uid, "+FLAGS", r"(\Deleted)"), "mark a copied email as deleted")
    if "UIDPLUS" in capabilities:
        _ok(imap.uid("EXPUNGE", uid), "remove a copied email")
    else:
        _ok(imap.expunge(), "remove copied emails")


def _ok(response: tuple[str, list], doing: str) -> tuple[str, list]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"The IMAP server refused to {doing}: {data!r}")
    return response


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string (imaplib sends arguments as they are)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
