"""Template filters for letters: the easy-read version puts one idea on each line."""

import re

from django import template

register = template.Library()

# A sentence ends at ".", "!" or "?" followed by white space and a capital, a digit or a quote: a
# web address (www.lgo.org.uk) or a time (14.05) has no space after its dot, so it stays whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘(])")


@register.filter
def sentences(text: str) -> list[str]:
    """The text's sentences, one per item (and each line staff typed on its own too), for the
    easy-read letter's "one idea per line". Nothing is dropped or reworded."""
    lines = []
    for line in (text or "").splitlines():
        lines.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return lines
