"""Members of staff in an export: named, or - when the export redacts staff names - called by their
role. Staff are third parties to the individual (UK GDPR art. 15(4)); the council decides, per
export, whether their names go out (``SUBJECT_ACCESS_REDACT_STAFF_NAMES`` is the default).

What the person was already told is not redacted: the signatory of a letter and the single point
of contact are named to them by the protocol's own letters, so they stay named in the export.
"""

from __future__ import annotations

import re
from typing import Any

from ubpanel.roles import Role, user_roles

A_MEMBER_OF_STAFF = "a member of staff"
WITHHELD = "[names of staff withheld: third parties]"


class StaffNames:
    """Call it with a user for the name the export shows. Redacting, it remembers every name it
    replaced, and ``scrub`` takes those names out of free text too."""

    def __init__(self, *, redact: bool, person_names: tuple[str, ...] = ()):
        self.redact = redact
        self._shown: dict[int, str] = {}
        self._replaced: dict[str, str] = {}
        self._protected = {name.strip().casefold() for name in person_names if name.strip()}

    def __call__(self, user) -> str | None:
        if user is None:
            return None
        if user.pk in self._shown:
            return self._shown[user.pk]
        if not self.redact:
            shown = str(user)
        else:
            shown = role_of(user)
            # Full names only: a username ("manager") is often an ordinary word.
            name = user.get_full_name().strip()
            if len(name) >= 3 and name.casefold() not in self._protected:
                self._replaced[name] = shown
        self._shown[user.pk] = shown
        return shown

    def free_text(self, value: str) -> str:
        """Free text that may name staff who are not users (``staff_affected``): withheld whole."""
        if self.redact and value.strip():
            return WITHHELD
        return value

    def scrub(self, data: Any) -> Any:
        """``data`` with every name replaced so far taken out of every string in it."""
        if not self.redact or not self._replaced:
            return data
        names = sorted(self._replaced, key=len, reverse=True)
        pattern = re.compile(
            r"\b(" + "|".join(re.escape(name) for name in names) + r")\b", re.IGNORECASE
        )
        lookup = {name.casefold(): role for name, role in self._replaced.items()}

        def walk(value):
            if isinstance(value, str):
                return pattern.sub(lambda match: lookup[match.group(0).casefold()], value)
            if isinstance(value, dict):
                return {key: walk(item) for key, item in value.items()}
            if isinstance(value, list):
                return [walk(item) for item in value]
            return value

        return walk(data)


def role_of(user) -> str:
    """The user's roles as the design names them ("Panel chair"), or "a member of staff"."""
    roles = sorted(user_roles(user) if user.is_active else _roles_of_inactive(user))
    labels = [Role(role).label for role in roles]
    return " and ".join(labels) if labels else A_MEMBER_OF_STAFF


def _roles_of_inactive(user) -> frozenset[Role]:
    by_label = {role.label: role for role in Role}
    return frozenset(
        by_label[n] for n in user.groups.values_list("name", flat=True) if n in by_label
    )
