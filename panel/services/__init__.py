"""What happens at and around panel meetings. Views, tasks and commands call these.

Each function is one step the protocol names, with an explicit ``actor`` and one transaction.
Acting without the authority the protocol gives raises PermissionDenied; a step the item or
meeting is not ready for raises PanelError with words a person can act on; bad input raises
ValidationError.

By capability: ``agenda`` (what goes on it, invitees), ``meetings`` (arranging, opening, closing),
``attendance`` (seats taken), ``declarations`` (interests and rulings), ``proposals`` (the draft
decision record), ``voting`` (ballots and votes), ``effects`` (what a carried decision does),
``corrections`` (to a closed record).
"""

from panel.selectors import may_rule, who_rules

from .agenda import (
    NOT_REACHED,
    agenda_add_pending,
    agenda_fill_next_meeting,
    agenda_item_add,
    agenda_item_move,
    agenda_item_statement_save,
    agenda_item_withdraw,
    invitee_add,
    invitee_remove,
    next_meeting,
)
from .attendance import attendance_record, meeting_join
from .base import PanelError
from .corrections import decision_correct
from .declarations import declaration_make, declaration_rule
from .effects import EFFECTS, decision_act
from .meetings import meeting_close, meeting_open, meeting_open_as_elected_chair, meeting_schedule
from .proposals import (
    CARE_SYSTEM_FIELDS,
    decision_draft_save,
    decision_problems,
    decision_record_care_system_consultation,
    person_of,
)
from .voting import ballot_close, ballot_open, is_carried, vote_cast, voting_rule

__all__ = [
    "CARE_SYSTEM_FIELDS",
    "EFFECTS",
    "NOT_REACHED",
    "PanelError",
    "person_of",
    "agenda_add_pending",
    "agenda_fill_next_meeting",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_statement_save",
    "agenda_item_withdraw",
    "attendance_record",
    "ballot_close",
    "ballot_open",
    "decision_act",
    "decision_correct",
    "decision_draft_save",
    "decision_problems",
    "decision_record_care_system_consultation",
    "declaration_make",
    "declaration_rule",
    "invitee_add",
    "invitee_remove",
    "is_carried",
    "may_rule",
    "meeting_close",
    "meeting_join",
    "meeting_open",
    "meeting_open_as_elected_chair",
    "meeting_schedule",
    "next_meeting",
    "vote_cast",
    "voting_rule",
    "who_rules",
]
