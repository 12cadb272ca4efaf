"""The single point of contact is told to the individual (issue 18, point 4).

The protocol: "The individual subject to the SPOC should be provided with the contact details of
the SPOC" - also where "a SPOC may be deemed appropriate where customer behaviour has not been
determined as unreasonable" (``Outcome.SPOC_ONLY``).

One rule, read by the letters page, the work page and the drafting service: a final decision that
appoints a SPOC waits for a letter until one about it (or about its entry), not cancelled, gives
the SPOC's name and contact details as the decision now records them. The decision's own low,
medium, high-risk or expected-behaviour letter does, since it cannot be approved without them
(``content.missing_elements``); where the decision has no such letter - a SPOC-only decision, a
ratification, or a SPOC changed by a correction after the letter went - the SPOC notice
(``LetterKind.SPOC_NOTICE``) is drafted from the decision. The decision's letters are complete
when such a letter has been sent (``spoc_told``).
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Replace, Trim

from panel.models import NO_LETTER_OUTCOMES, Decision, DecisionStatus, LetterRoute, Outcome
from ubpanel.entry_status import EntryStatus

from .models import Letter, LetterStatus

# A SPOC named in a decision that appoints nobody: the panel deferred the item or decided to take
# no action (a SPOC without an unreasonable finding is ``SPOC_ONLY``), or decided an outcome after
# which nothing goes to the individual (``NO_LETTER_OUTCOMES``: removal is never communicated).
_NOT_TOLD = (*NO_LETTER_OUTCOMES, Outcome.DEFER, Outcome.NO_ACTION)


def _crless(field: str):
    # A browser sends a textarea's line breaks as CRLF: compare without the CR (as
    # ``content._plain`` does).
    return Trim(Replace(F(field), Value("\r"), Value(""), output_field=TextField()))


def appoints_spoc() -> Q:
    """A final decision naming a SPOC that the individual is to be told of."""
    return (
        Q(status=DecisionStatus.FINAL)
        & ~Q(spoc_name="")
        & ~Q(outcome__in=_NOT_TOLD)
        & ~Q(item__entry__status=EntryStatus.REMOVED)
    )


def _carrying(statuses) -> Exists:
    """A letter about the decision, or about its entry, in one of ``statuses``, that gives the
    SPOC's name and contact details as the decision records them (case aside)."""
    letters = Letter.objects.annotate(spoc_said=_crless("spoc")).filter(
        Q(decision=OuterRef("pk")) | Q(entry=OuterRef("item__entry")),
        Q(spoc_said__icontains=OuterRef("spoc_name_said")),
        Q(spoc_said__icontains=OuterRef("spoc_details_said")),
        status__in=statuses,
    )
    return Exists(letters)


def _said(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    return decisions.annotate(
        spoc_name_said=Trim("spoc_name"), spoc_details_said=_crless("spoc_contact_details")
    )


# Not cancelled: a letter drafted, approved or sent.
_ON_ITS_WAY = (LetterStatus.DRAFT, LetterStatus.APPROVED, LetterStatus.SENT)


def spoc_untold(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Of ``decisions``, those that appoint a SPOC and have no letter on its way (drafted,
    approved or sent) that gives the SPOC's name and contact details: each waits for its SPOC
    notice to be drafted."""
    return _said(decisions).filter(appoints_spoc()).exclude(_carrying(_ON_ITS_WAY))


def spoc_not_yet_told(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Of ``decisions``, those that appoint a SPOC whose details have not gone to the individual
    in a sent letter yet: their letters are not complete."""
    return _said(decisions).filter(appoints_spoc()).exclude(_carrying((LetterStatus.SENT,)))


def needs_spoc_notice(decision: Decision) -> bool:
    """The decision appoints a SPOC and no letter on its way gives their details."""
    return spoc_untold(Decision.objects.filter(pk=decision.pk)).exists()


def spoc_told(decision: Decision) -> bool:
    """The individual has been sent a letter giving the SPOC's name and contact details (or the
    decision appoints none)."""
    return not spoc_not_yet_told(Decision.objects.filter(pk=decision.pk)).exists()


def spoc_untold_words(decision: Decision) -> str:
    """What is missing, in words for staff, or "" when nothing is."""
    if spoc_told(decision):
        return ""
    return (
        f"The individual has not been sent the contact details of their single point of contact "
        f"({decision.spoc_name.strip()}). The protocol: “The individual subject to the SPOC "
        "should be provided with the contact details of the SPOC.” Draft, approve and send the "
        "SPOC notice, or the decision's own letter giving them."
    )


# The routes whose own letter gives the SPOC's details (``content.missing_elements``).
_ROUTES_WITH_A_LETTER = (
    LetterRoute.OPERATIONS_MANAGER,
    LetterRoute.LEGAL_SERVICES,
    LetterRoute.EXPECTED_BEHAVIOUR,
)


def mark_spoc_notices_due(decisions: list[Decision]) -> None:
    """Set ``spoc_notice_due`` on each of ``decisions`` (those waiting for a letter): whether the
    letter it waits for is the SPOC notice rather than its route's own letter. No query unless
    one of them names a SPOC; two at most."""
    named = [decision.pk for decision in decisions if decision.spoc_name.strip()]
    untold, drafted = set(), set()
    if named:
        untold = set(
            spoc_untold(Decision.objects.filter(pk__in=named)).values_list("pk", flat=True)
        )
        drafted = set(
            Letter.objects.filter(decision__in=untold).values_list("decision_id", flat=True)
        )
    for decision in decisions:
        decision.spoc_notice_due = decision.pk in untold and (
            decision.pk in drafted or decision.letter_route not in _ROUTES_WITH_A_LETTER
        )
