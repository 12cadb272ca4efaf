"""What every panel service shares: its refusal, and the two questions asked before most steps."""

from django.core.exceptions import PermissionDenied

from panel.models import Meeting
from panel.selectors import can_manage_agenda, presides
from ubpanel.errors import DomainError
from ubpanel.models import User


class PanelError(DomainError):
    """The meeting or item is not in a state where that can happen."""


def require_agenda_role(actor: User) -> None:
    if not can_manage_agenda(actor):
        raise PermissionDenied("Only Assurance and the chair prepare the panel's agenda.")


def require_chairing(actor: User, meeting: Meeting) -> None:
    """Whoever presides runs the meeting: the person in the chair's seat (the chair, or a briefed
    deputy in their absence), or the member the members present chose to chair."""
    if not presides(actor, meeting):
        raise PermissionDenied("Only the person chairing the meeting runs it.")


def item_refusal(item) -> str:
    return f"The item is {item.get_status_display().lower()}."


def meeting_not_open(meeting) -> str:
    return f"The meeting is {meeting.get_status_display().lower()}, not in progress."
