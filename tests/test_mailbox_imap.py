"""The mailbox poller against a real IMAP server: a throwaway Dovecot on loopback.

Dovecot comes from Debian's dovecot-imapd package; CI installs it. Without it these tests fail
(they never skip): the poller would otherwise go untested.
"""

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from referrals import tasks
from referrals.models import InboundEmail, InboundEmailStatus
from referrals.services import inbound_email_import
from referrals.tasks import mailbox_poll

from .mail import eml, keep_private_files_in

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "spocassurance", "imap-test-password"


def _dovecot_binary() -> str:
    # /usr/sbin is not on an unprivileged user's PATH on Debian.
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.fail(
            "Dovecot is not installed: the mailbox tests need a real IMAP server. "
            "Install it with: apt-get install -y dovecot-imapd"
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accounts() -> tuple[str, str, str, pwd.struct_passwd]:
    """(internal user, its group, login user, mail user) for Dovecot's processes.

    As root (CI), Dovecot insists on unprivileged users for its own processes and will not store
    mail as root (UID 0 is refused): it uses the users the package created, and the mail belongs
    to ``nobody``. As anybody else, everything runs as that one user and group.
    """
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_name, me
    try:
        pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
        return "dovecot", "dovecot", "dovenull", pwd.getpwnam("nobody")
    except KeyError as missing:
        pytest.fail(f"The dovecot-imapd package's users are missing ({missing}): reinstall it.")


def _dovecot_config(folder: Path, port: int) -> Path:
    internal, internal_group, login, mail = _accounts()
    home = folder / "home"
    home.mkdir()
    if os.geteuid() == 0:
        os.chown(home, mail.pw_uid, mail.pw_gid)
    (folder / "passwd").write_text(
        f"{USER}:{{PLAIN}}{PASSWORD}:{mail.pw_uid}:{mail.pw_gid}::{home}::\n"
    )
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = {mail.pw_uid}
first_valid_gid = {mail.pw_gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {folder}/passwd
}}
userdb {{
  driver = passwd-file
  args = {folder}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    return config


def _wait_for_greeting(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    output = process.stdout.read() if process.poll() is not None else ""
    log_text = log.read_text() if log.exists() else ""
    pytest.fail(f"Dovecot did not start on 127.0.0.1:{port}.\n{output}\n{log_text}")


@pytest.fixture(scope="module")
def dovecot():
    """A Dovecot IMAP server on a free loopback port, for this module's tests; yields the port."""
    binary = _dovecot_binary()
    # Not pytest's tmp_path: as root, Dovecot's unprivileged processes must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="ubpanel-dovecot-"))
    folder.chmod(0o755)
    port = _free_port()
    config = _dovecot_config(folder, port)
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for_greeting(port, process, folder / "dovecot.log")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


class Mailbox:
    """The test's own IMAP client: puts emails in, reads flags back."""

    def __init__(self, port: int, folder: str):
        self.port, self.folder = port, folder

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def create(self, folder: str) -> None:
        with self._client() as client:
            assert client.create(folder)[0] == "OK"

    def deliver(self, raw: bytes, *, seen: bool = False) -> None:
        # IMAP wants CRLF line endings; the fixtures have LF.
        message = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        with self._client() as client:
            status, _ = client.append(self.folder, r"(\Seen)" if seen else None, None, message)
            assert status == "OK"

    def count(self, criterion: str = "ALL", folder: str | None = None) -> int:
        with self._client() as client:
            assert client.select(folder or self.folder, readonly=True)[0] == "OK"
            _, data = client.search(None, criterion)
            return len(data[0].split())


@pytest.fixture
def imap_mailbox(dovecot, settings, monkeypatch, tmp_path):
    """A fresh folder on the server, and the poller's settings pointing at it."""
    keep_private_files_in(monkeypatch, tmp_path / "private")
    folder = f"spoc-{uuid.uuid4().hex[:10]}"
    mailbox = Mailbox(dovecot, folder)
    mailbox.create(folder)
    settings.MAILBOX_IMAP_HOST = "127.0.0.1"
    settings.MAILBOX_IMAP_PORT = dovecot
    settings.MAILBOX_IMAP_USER = USER
    settings.MAILBOX_IMAP_PASSWORD = PASSWORD
    settings.MAILBOX_IMAP_FOLDER = folder
    settings.MAILBOX_IMAP_PROCESSED_FOLDER = ""
    settings.MAILBOX_IMAP_SECURITY = "plain"
    return mailbox


def test_the_poller_imports_unread_emails_keeps_a_malformed_one_and_marks_them_read(imap_mailbox):
    imap_mailbox.deliver(eml("multipart_alternative_pdf.eml"))
    imap_mailbox.deliver(eml("malformed.eml"))
    imap_mailbox.deliver(eml("forwarded_chain.eml"))
    imap_mailbox.deliver(eml("jpeg_attachment.eml"), seen=True)  # read by someone already

    counts = mailbox_poll()

    assert counts == {"imported": 2, "failed": 1, "duplicates": 0, "errors": 0}
    imported = InboundEmail.objects.filter(status=InboundEmailStatus.IMPORTED)
    assert {inbound.subject for inbound in imported} == {
        "Referral: abusive phone calls to Housing Options",
        "FW: Fwd: Complaint about your staff",
    }
    assert {e.original_name for inbound in imported for e in inbound.referral.evidence.all()} == {
        "incident-log.pdf",
        "my-letter.pdf",
    }
    failed = InboundEmail.objects.get(status=InboundEmailStatus.FAILED)
    assert failed.failure_reason.startswith("This is not an email")
    # Kept as the server sent it (IMAP has no NUL bytes: Dovecot sends 0x80 instead).
    assert b"this is not an email and has no headers at all" in failed.raw.read()
    assert imap_mailbox.count("UNSEEN") == 0
    assert imap_mailbox.count("ALL") == 4

    assert mailbox_poll() == {"imported": 0, "failed": 0, "duplicates": 0, "errors": 0}
    assert InboundEmail.objects.count() == 3


def test_an_email_that_cannot_be_stored_stays_unread_for_the_next_poll_and_the_rest_go_on(
    imap_mailbox, monkeypatch
):
    imap_mailbox.deliver(eml("html_only.eml"))
    imap_mailbox.deliver(eml("iso_8859_1.eml"))
    imap_mailbox.deliver(eml("windows_1252_subject.eml"))
    import_email = tasks.inbound_email_import

    def database_down_for_the_library_email(*, raw):
        if b"library" in raw:
            raise OSError("could not connect to the database")
        return import_email(raw=raw)

    monkeypatch.setattr(tasks, "inbound_email_import", database_down_for_the_library_email)

    assert mailbox_poll() == {"imported": 2, "failed": 0, "duplicates": 0, "errors": 1}
    assert imap_mailbox.count("UNSEEN") == 1
    assert not InboundEmail.objects.filter(subject__contains="library").exists()

    monkeypatch.setattr(tasks, "inbound_email_import", import_email)

    assert mailbox_poll() == {"imported": 1, "failed": 0, "duplicates": 0, "errors": 0}
    assert InboundEmail.objects.filter(subject="Incident at the library café").exists()
    assert imap_mailbox.count("UNSEEN") == 0


def test_imported_emails_are_moved_to_the_processed_folder_when_one_is_set(imap_mailbox, settings):
    settings.MAILBOX_IMAP_PROCESSED_FOLDER = f"{settings.MAILBOX_IMAP_FOLDER}-done"
    imap_mailbox.deliver(eml("no_message_id.eml"))
    imap_mailbox.deliver(eml("shift_jis.eml"))

    assert mailbox_poll() == {"imported": 2, "failed": 0, "duplicates": 0, "errors": 0}

    assert imap_mailbox.count("ALL") == 0
    assert imap_mailbox.count("SEEN", folder=settings.MAILBOX_IMAP_PROCESSED_FOLDER) == 2


def test_a_wrong_password_fails_the_poll_loudly_and_imports_nothing(imap_mailbox, settings):
    settings.MAILBOX_IMAP_PASSWORD = "wrong"
    imap_mailbox.deliver(eml("no_message_id.eml"))

    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        mailbox_poll()
    assert not InboundEmail.objects.exists()
    assert imap_mailbox.count("UNSEEN") == 1


def test_the_poller_does_nothing_when_no_mailbox_is_configured(settings):
    settings.MAILBOX_IMAP_HOST = ""

    assert mailbox_poll() == {"imported": 0, "failed": 0, "duplicates": 0, "errors": 0}


def _settings_in_a_fresh_process(**environment) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "ubpanel.settings",
        **environment,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.CELERY_BEAT_SCHEDULE.get('mailbox-poll'))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_beat_polls_the_mailbox_only_when_one_is_configured():
    off = _settings_in_a_fresh_process(MAILBOX_IMAP_HOST="")
    on = _settings_in_a_fresh_process(
        MAILBOX_IMAP_HOST="imap.council.example", MAILBOX_POLL_SECONDS="120"
    )

    assert off.stdout.strip() == "None", off.stderr
    # Every two minutes at fixed minutes past the hour (a crontab), not counted from beat's start.
    assert on.stdout.strip() == (
        "{'task': 'referrals.tasks.mailbox_poll', 'schedule': <crontab: */2 * * * * (m/h/dM/MY/d)>}"
    ), on.stderr


def test_an_unencrypted_connection_is_refused_unless_the_server_is_on_this_machine():
    remote = _settings_in_a_fresh_process(
        MAILBOX_IMAP_HOST="imap.council.example", MAILBOX_IMAP_SECURITY="plain"
    )
    local = _settings_in_a_fresh_process(
        MAILBOX_IMAP_HOST="127.0.0.1", MAILBOX_IMAP_SECURITY="plain"
    )

    assert remote.returncode != 0
    assert (
        "MAILBOX_IMAP_SECURITY=plain would send the mailbox password unencrypted" in remote.stderr
    )
    assert local.returncode == 0, local.stderr


def test_an_email_already_kept_is_counted_as_a_duplicate_not_an_import(imap_mailbox, caplog):
    inbound_email_import(raw=eml("html_only.eml"))  # imported by hand before the poll read it
    imap_mailbox.deliver(eml("html_only.eml"))
    imap_mailbox.deliver(eml("iso_8859_1.eml"))

    with caplog.at_level("INFO", logger="referrals.tasks"):
        counts = mailbox_poll()

    assert counts == {"imported": 1, "failed": 0, "duplicates": 1, "errors": 0}
    assert "Mailbox poll: 1 imported, 0 failed, 1 duplicates, 0 errors" in caplog.text
    assert InboundEmail.objects.count() == 2
    assert imap_mailbox.count("UNSEEN") == 0
