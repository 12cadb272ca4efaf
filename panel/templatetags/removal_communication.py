"""``{% removal_communication item decision %}``: the notice that removal is not communicated
(the protocol, against the ICO's guidance) with the setting that applies, where removal is
decided. ``proposing=True`` on the proposal form, for any item that may end in a removal."""

from django import template

from panel import removal

register = template.Library()


@register.inclusion_tag("panel/_removal_communication.html")
def removal_communication(item, decision=None, proposing=False):
    return {"notice": removal.notice(item, decision, proposing=proposing)}
