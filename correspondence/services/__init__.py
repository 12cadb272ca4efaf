"""What happens to letters. Views, tasks and commands call these; none re-implements a rule.
By capability:

- ``drafting``: a letter drafted, pre-filled (``prefill``) from the decision, the entry and the
  referral, and changed by staff;
- ``sending``: approved by the sender the protocol names, sent by post or email, cancelled when
  the entry comes off the schedule first (the PDFs are made by a Celery task:
  ``correspondence.letter_pdfs``);
- ``questionnaires``: the equalities questionnaire returns.

Each status change follows ``LETTER_GRAPH`` (``correspondence.models``); who may act is in
``correspondence.selectors``. Removal is never communicated to the individual (the protocol): no
letter is drafted, approved or sent about a removed entry, or after a decision in
``NO_LETTER_OUTCOMES``, whatever the decision's letter route says - but the removal letter, when
NOTIFY_ON_REMOVAL was on as the entry came off the schedule (``letter_draft_for_removal``).
"""

from correspondence.letter_pdfs import current_pdf, letter_pdf_make

from .base import LetterError
from .drafting import (
    LETTER_FIELDS,
    letter_draft,
    letter_draft_for_removal,
    letter_draft_from_decision,
    letter_update,
)
from .questionnaires import category_refused, questionnaire_return_record
from .sending import letter_approve, letter_send, letters_cancel_for_entry

__all__ = [
    "LETTER_FIELDS",
    "LetterError",
    "category_refused",
    "current_pdf",
    "letter_approve",
    "letter_draft",
    "letter_draft_for_removal",
    "letter_draft_from_decision",
    "letter_pdf_make",
    "letter_send",
    "letter_update",
    "letters_cancel_for_entry",
    "questionnaire_return_record",
]
