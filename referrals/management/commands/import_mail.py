import mailbox as mbox_format
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from referrals import mailbox
from referrals.models import InboundEmail, InboundEmailStatus
from referrals.services import inbound_email_import


class Command(BaseCommand):
    help = (
        "Import emails sent to the spocassurance mailbox as draft referrals: .eml files, folders of "
        ".eml files, or mbox files (--mbox). An email already imported (same Message-ID) is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", type=Path)
        parser.add_argument(
            "--mbox", action="store_true", help="each PATH is an mbox file of many emails"
        )

    def handle(self, *args, paths: list[Path], mbox: bool, **options):
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        if mbox and any(path.is_dir() for path in paths):
            raise CommandError("With --mbox, each PATH is an mbox file, not a folder.")
        outcomes = Counter()
        for label, raw in self._emails(paths, mbox=mbox):
            already = InboundEmail.objects.filter(message_id=mailbox.message_id(raw)).exists()
            inbound = inbound_email_import(raw=raw)
            if already:
                outcome, detail = "duplicate", f"already imported ({_what(inbound)})"
            elif inbound.status == InboundEmailStatus.FAILED:
                outcome, detail = "failed", inbound.failure_reason
            else:
                outcome, detail = "imported", _what(inbound)
            outcomes[outcome] += 1
            style = self.style.ERROR if outcome == "failed" else str
            self.stdout.write(style(f"{outcome:<9} {label}: {detail}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(outcomes.values())} emails: {outcomes['imported']} imported, "
                f"{outcomes['duplicate']} duplicate, {outcomes['failed']} failed."
            )
        )

    def _emails(self, paths: list[Path], *, mbox: bool) -> Iterator[tuple[str, bytes]]:
        for path in paths:
            if mbox:
                box = mbox_format.mbox(path, create=False)
                for number, key in enumerate(box.iterkeys(), start=1):
                    yield f"{path} #{number}", box.get_bytes(key)
            elif path.is_dir():
                for file in sorted(p for p in path.rglob("*.eml") if p.is_file()):
                    yield str(file), file.read_bytes()
            else:
                yield str(path), path.read_bytes()


def _what(inbound: InboundEmail) -> str:
    if inbound.referral_id:
        return f"draft referral {inbound.referral.reference}"
    return f"kept as unreadable: {inbound.failure_reason}"
