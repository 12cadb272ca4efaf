"""What the panel adds to a schedule entry's full case page (``hooks.entry_page_context``): the
panel's decisions on the entry, each marked with whether the user may open its agenda item."""

from panel.models import AgendaItem, ItemStatus
from panel.selectors import visible_items
from schedule.models import Entry
from ubpanel.models import User


def entry_page_context(*, user: User, entry: Entry) -> dict:
    decided = list(
        AgendaItem.objects.filter(entry=entry, status=ItemStatus.DECIDED)
        .select_related("meeting", "decision")
        .order_by("decision__decided_at", "pk")
    )
    readable = set(
        visible_items(user)
        .filter(pk__in=[item.pk for item in decided])
        .values_list("pk", flat=True)
    )
    return {"decisions": [(item, item.pk in readable) for item in decided]}
