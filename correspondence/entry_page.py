"""What the letters add to a schedule entry's full case page (``hooks.entry_page_context``):
whether the user may draft the high-risk letter for the chair's emergency addition."""

from correspondence.models import LetterKind
from correspondence.selectors import may_draft
from schedule.models import Entry
from ubpanel.entry_status import EntryStatus
from ubpanel.models import User


def entry_page_context(*, user: User, entry: Entry) -> dict:
    # Legal Services draft the high-risk letter for an addition still pending ratification, once.
    return {
        "may_draft_emergency_letter": entry.status == EntryStatus.PENDING_RATIFICATION
        and may_draft(user, LetterKind.HIGH)
        and not entry.letters.exists()
    }
