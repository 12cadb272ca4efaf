"""The Unreasonable Behaviours Panel: its seats, meetings, agendas, declarations, votes and decisions.

The protocol: six seats, a quorum of four eligible members, interests declared and ruled on by the
chair (or, in the chair's absence, the Monitoring Officer), health considered first, inclusion by
majority vote, and every decision recorded with its reasons.

Seats, meetings and attendance are in ``meetings``; the agenda, invitees and declarations in
``items``; ballots and votes in ``voting``; outcomes, decisions and corrections in ``decisions``.
Each status graph is declared beside its statuses.
"""

from .decisions import (
    DECISION_FIELDS,
    DECISION_GRAPH,
    NO_LETTER_OUTCOMES,
    OUTCOMES_FOR,
    PERSON_KINDS,
    REMOVAL_NOT_COMMUNICATED,
    Decision,
    DecisionCorrection,
    DecisionStatus,
    LetterRoute,
    Outcome,
)
from .items import (
    ITEM_GRAPH,
    UNDECIDED,
    AgendaItem,
    Declaration,
    Invitee,
    InviteeRole,
    ItemKind,
    ItemStatus,
    Ruling,
)
from .meetings import (
    MEETING_GRAPH,
    NOT_CLOSED,
    QUORUM,
    Attendance,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    Seat,
    SeatAttendance,
    SeatMember,
)
from .voting import BALLOT_GRAPH, Ballot, BallotStatus, Vote, VoteChoice, VotingRule

__all__ = [
    "BALLOT_GRAPH",
    "DECISION_FIELDS",
    "DECISION_GRAPH",
    "ITEM_GRAPH",
    "MEETING_GRAPH",
    "NOT_CLOSED",
    "NO_LETTER_OUTCOMES",
    "OUTCOMES_FOR",
    "PERSON_KINDS",
    "QUORUM",
    "REMOVAL_NOT_COMMUNICATED",
    "UNDECIDED",
    "AgendaItem",
    "Attendance",
    "Ballot",
    "BallotStatus",
    "Decision",
    "DecisionCorrection",
    "DecisionStatus",
    "Declaration",
    "Invitee",
    "InviteeRole",
    "ItemKind",
    "ItemStatus",
    "LetterRoute",
    "Meeting",
    "MeetingFormat",
    "MeetingKind",
    "MeetingStatus",
    "Outcome",
    "Ruling",
    "Seat",
    "SeatAttendance",
    "SeatMember",
    "Vote",
    "VoteChoice",
    "VotingRule",
]
