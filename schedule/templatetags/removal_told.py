"""Whether the individual is told of a removal, where it is shown on the schedule's pages, in
``schedule.removal``'s words (the panel's notices use the same ones).

``{% removal_event_notice event %}`` beside an entry's removal event in its history;
``{% removal_told entry %}`` for an upheld appeal's outcome (one query, only for a removed entry)."""

from django import template

from schedule import removal

register = template.Library()


@register.inclusion_tag("schedule/_removal_told.html")
def removal_event_notice(event):
    return {"notice": removal.removal_notice(event)}


@register.simple_tag
def removal_told(entry) -> str:
    removed_by = removal.entry_removal_told(entry)
    if removed_by:
        return "they are told by a removal letter from the record owner (NOTIFY_ON_REMOVAL)"
    return "they are not told (the protocol)"
