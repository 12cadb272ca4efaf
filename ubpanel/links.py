"""Links to many objects of one kind for the price of one ``reverse()``.

A list of hundreds of rows (an agenda, the review sweep's digest) spent more time in ``reverse()``
than in the rest of its work (issue 16). ``link_maker`` reverses the URL once with a marker for
the primary key and fills each key in.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARKER = "987654321"


def link_maker(name: str, *, prefix: str = "") -> Callable[[object], str]:
    """``prefix + reverse(name, args=[pk])`` as a function of ``pk``, with one ``reverse()``."""
    path = reverse(name, args=[int(_MARKER)])
    before, _, after = path.partition(_MARKER)
    return lambda pk: f"{prefix}{before}{pk}{after}"
