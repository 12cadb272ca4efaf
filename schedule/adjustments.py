"""When a restriction clashes with a person's reasonable adjustments: the table, written once.

The panel (its proposal) and the chair (an emergency addition) set restrictions on how the
individual may contact the council. A restriction that takes away the way a disabled person
reaches us is not forbidden - safety may come first - but it must be seen, and the reason to go
ahead recorded (``adjustment_clash_reason``). The proposal, the emergency addition and the entry
page all read this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from referrals.models import AdjustmentNeed, Person
from referrals.selectors import current_adjustments
from schedule.models.entries import ContactRestriction
from ubpanel.roles import can_see_special_category

R, N = ContactRestriction, AdjustmentNeed

CLASHES: dict[tuple[ContactRestriction, AdjustmentNeed], str] = {
    (R.WRITTEN_ONLY, N.VISUAL_IMPAIRMENT): (
        "They may not be able to read letters or emails: written contact only can shut them out. "
        "Offer large print, audio or a phone call from the single point of contact."
    ),
    (R.WRITTEN_ONLY, N.DYSLEXIA): (
        "Reading and writing are hard for them: written contact only can shut them out. Keep "
        "letters short and plain, and let them reply another way."
    ),
    (R.WRITTEN_ONLY, N.LEARNING_DISABILITY): (
        "They may not understand a letter, or be able to reply in writing: written contact only "
        "can shut them out. Send easy read and let someone they trust help them reply."
    ),
    (R.PHONE_LIMITED, N.HEARING_IMPAIRMENT): (
        "They may reach the council by text relay or video relay, which come in as phone calls: "
        "limiting phone calls can cut off the way they contact us. Say which relay calls are "
        "still accepted."
    ),
    (R.PHONE_LIMITED, N.BSL): (
        "They may reach the council through a British Sign Language video relay service, which "
        "comes in as a phone call: limiting phone calls can cut off the way they contact us. Say "
        "how a relay call is handled."
    ),
    (R.ONE_NAMED_CONTACT, N.ADVOCATE): (
        "They have an advocate or representative who speaks for them: contact through one named "
        "officer only must still let the advocate reach that officer on their behalf."
    ),
    (R.NO_FACE_TO_FACE, N.BSL): (
        "British Sign Language is best used face to face with an interpreter: without "
        "face-to-face contact, arrange a video interpreter instead."
    ),
}


@dataclass(frozen=True)
class Clash:
    restriction: ContactRestriction
    need: AdjustmentNeed
    message: str

    @property
    def restriction_label(self) -> str:
        return ContactRestriction(self.restriction).label

    @property
    def need_label(self) -> str:
        return AdjustmentNeed(self.need).label

    def __str__(self) -> str:
        return f"“{self.restriction_label}” and “{self.need_label}”: {self.message}"


def clashes(restriction_kinds: Iterable[str], needs: Iterable[str]) -> list[Clash]:
    """Each pair of a restriction set and a need recorded that clash, in the table's order."""
    kinds, needs = set(restriction_kinds or ()), set(needs or ())
    return [
        Clash(ContactRestriction(restriction), AdjustmentNeed(need), message)
        for (restriction, need), message in CLASHES.items()
        if restriction in kinds and need in needs
    ]


CLASH_NEEDS_A_REASON = (
    "A restriction clashes with a reasonable adjustment recorded for the person: say why the "
    "restrictions go ahead despite it"
)


def refuse_unexplained_clash(
    restriction_kinds: Iterable[str], needs: Iterable[str], reason: str, *, error
) -> list[Clash]:
    """Raise ``error`` (a DomainError subclass) beside ``adjustment_clash_reason`` when the
    restrictions clash with the person's needs and no reason is given; the clashes otherwise.
    The message names no need: a service's refusal may reach someone who may not see health."""
    found = clashes(restriction_kinds, needs)
    if found and not (reason or "").strip():
        raise error(CLASH_NEEDS_A_REASON, field="adjustment_clash_reason")
    return found


def needs_of(person: Person | None) -> list[str]:
    """The needs behind the person's current adjustments."""
    if person is None or person.pk is None:
        return []
    return list(current_adjustments(person).values_list("need", flat=True).distinct())


def restriction_labels(restriction_kinds: Iterable[str]) -> list[str]:
    return [
        label for value, label in ContactRestriction.choices if value in (restriction_kinds or ())
    ]


def restriction_review(user, guidance, person: Person | None) -> dict:
    """What a page shows about a record's restrictions (an entry or a decision, both
    ``StaffGuidance``) against the person's needs: the kinds of restriction to everyone who sees
    the record (they are not health data); the clashes and the reason recorded only to those who
    may see special-category data; to others only that the restrictions were reviewed against the
    person's needs."""
    kinds = list(guidance.restriction_kinds or [])
    review = {
        "restriction_kinds": restriction_labels(kinds),
        "clash_reason_recorded": bool(guidance.adjustment_clash_reason.strip()),
        "show_needs": can_see_special_category(user),
        "clashes": [],
    }
    if review["show_needs"]:
        review["clashes"] = clashes(kinds, needs_of(person)) if kinds else []
        review["clash_reason"] = guidance.adjustment_clash_reason
    return review


def adjustments_beside(user, person: Person | None, restriction_kinds: Iterable[str]) -> dict:
    """What a form that sets restrictions shows beside them (``schedule/_adjustments_beside.html``):
    the person's current adjustments and each clash with the restrictions ticked, naming the need
    only to those who may see special-category data."""
    kinds = [kind for kind in (restriction_kinds or []) if kind in ContactRestriction.values]
    show = can_see_special_category(user)
    return {
        "show_needs": show,
        "person_known": person is not None and person.pk is not None,
        "adjustments": list(current_adjustments(person)) if show and person and person.pk else [],
        "clashes": clashes(kinds, needs_of(person)) if kinds else [],
    }
