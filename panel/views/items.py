"""The item screen: papers, declarations, the proposal, the vote - and the live part of it that every
member's screen polls while a vote is open.

Who may open an item is ``visible_items``: the panel, Assurance and the Monitoring Officer see every
item; an invitee sees only the items they are invited to (papers only: they never vote). What each
person may do on it is a ``may_*`` predicate in ``panel.selectors``. The forms reached from the
screen are in ``decisions.py``, the vote's buttons in ``votes.py``.
"""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from panel import services
from panel.item_forms import CareSystemForm, StatementForm
from panel.models import AgendaItem, Decision, Invitee, ItemStatus, MeetingStatus, Seat
from panel.selectors import (
    can_manage_agenda,
    chair_holder,
    chair_is_absent,
    eligibility,
    legal_adviser_missing,
    legal_adviser_reasons,
    may_correct,
    may_declare,
    may_propose,
    may_record_care_system,
    may_rule,
    may_vote,
    may_write_statement,
    presides,
    sees_all_papers,
    sitting,
    visible_items,
)
from referrals.models import Evidence, Referral
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.errors import error_text
from ubpanel.middleware import passive_session
from ubpanel.pages import REFUSALS, form_page
from ubpanel.roles import can_see_special_category
from ubpanel.tiers import TIER_DEFINITIONS

# How often an open meeting screen asks for the latest votes (the issue: within 2 seconds).
POLL_SECONDS = 1


def item_for(request, pk) -> AgendaItem:
    return get_object_or_404(
        visible_items(request.user).select_related(
            "meeting",
            "referral__person",
            "referral__service",
            "entry__person",
            "access_grant__service",
            "access_grant__user",
            "decision",
        ),
        pk=pk,
    )


def back(item: AgendaItem):
    return redirect("panel:item_detail", pk=item.pk)


def _papers(item: AgendaItem, user) -> dict:
    """What the members read before the meeting: the referral, its incidents and evidence, the
    entry (for ratifications, reviews and referrals back), the access request, the statement."""
    ids = [item.referral_id] if item.referral_id else []
    if item.entry_id:
        ids += [pk for pk in item.entry.referrals.values_list("pk", flat=True) if pk not in ids]
    # The referral on the item first, then the entry's others: two queries however many.
    found = Referral.objects.filter(pk__in=ids).prefetch_related("incidents", "evidence")
    by_pk = {referral.pk: referral for referral in found}
    referrals = [by_pk[pk] for pk in ids if pk in by_pk]
    return {
        "referrals": [(r, list(r.incidents.all()), list(r.evidence.all())) for r in referrals],
        "show_health": can_see_special_category(user),
        "person": item.referral.person if item.referral_id else getattr(item.entry, "person", None),
        "tier_definitions": TIER_DEFINITIONS,
    }


def live_context(item: AgendaItem, user) -> dict:
    """The part of the screen that changes during the meeting: eligibility, the vote, the tally."""
    meeting = item.meeting
    seat = sitting(meeting, user)
    ballot = item.ballots.order_by("-number").first()
    votes = list(ballot.votes.all()) if ballot else []
    voted = {vote.seat for vote in votes}
    mine = next((v for v in votes if seat and v.seat == seat.seat), None)
    decision = Decision.objects.filter(item=item).first()
    seats = eligibility(item)
    return {
        "item": item,
        "meeting": meeting,
        "seats": seats,
        "seat_rows": [
            (value, label, value in seats.present, value in seats.excluded, value in voted)
            for value, label in Seat.choices
        ],
        "ballot": ballot,
        "ballot_open": ballot is not None and ballot.is_open,
        "votes": votes,
        "voted_count": len(voted),
        "my_seat": seat,
        "my_vote": mine,
        "may_vote": may_vote(user, ballot, seat=seat),
        "chairing": presides(user, meeting),
        "may_propose": may_propose(user, item),
        "decision": decision,
        "proposal_problems": services.decision_problems(item, decision),
        "poll_seconds": POLL_SECONDS,
        "polling": meeting.status == MeetingStatus.OPEN and item.status != ItemStatus.DECIDED,
    }


def item_detail(request, pk):
    return _item_page(request, item_for(request, pk))


def _item_page(request, item, *, statement_form=None, care_form=None):
    """The item screen; with a refused form (bound, with its errors), 400 and what was typed."""
    user = request.user
    decision = getattr(item, "decision", None)
    context = {
        **live_context(item, user),
        **_papers(item, user),
        "invitation": Invitee.objects.filter(item=item, user=user).first(),
        "invitees": list(item.invitees.select_related("user")),
        "declarations": list(item.declarations.select_related("user", "ruled_by")),
        "may_declare": may_declare(user, item),
        "is_member_view": sees_all_papers(user),
        "may_record_care_system": may_record_care_system(user, item),
        "care_form": care_form or CareSystemForm(),
        "may_write_statement": may_write_statement(user, item),
        "statement_form": statement_form or StatementForm(initial={"statement": item.statement}),
        "may_correct": may_correct(user, decision),
        "corrections": list(decision.corrections.select_related("corrected_by"))
        if decision is not None
        else [],
    }
    # The protocol: Legal Services are invited for high-risk items and where legal proceedings
    # have been intimated. Assurance and the chair are warned until someone is.
    if can_manage_agenda(user) and legal_adviser_missing(item, context["invitees"]):
        context["legal_reasons"] = legal_adviser_reasons(item)
    holder, chair_absent = chair_holder(), chair_is_absent(item.meeting)
    context["rulable"] = [
        d
        for d in context["declarations"]
        if may_rule(user, d, holder=holder, chair_absent=chair_absent)
    ]
    subjects = [item]
    if item.referral_id:
        subjects.append(item.referral)
    if item.entry_id:
        subjects.append(item.entry)
    if item.access_grant_id:
        subjects.append(item.access_grant)
    audit.record_access(
        subjects, audit.Event.VIEW, papers=f"{item.meeting.reference} item {item.position}"
    )
    return form_page(request, "panel/item_detail.html", context, statement_form, care_form)


@passive_session
def item_live(request, pk):
    """The polled part of the meeting screen. It carries no personal data of the individual (who has
    voted, not how, until the vote closes), so a poll is not an audited view of the papers."""
    item = item_for(request, pk)
    return render(request, "panel/_item_live.html", live_context(item, request.user))


@require_POST
def care_system(request, pk):
    item = item_for(request, pk)
    form = CareSystemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Record what the consultation found.")
        return _item_page(request, item, care_form=form)
    try:
        services.decision_record_care_system_consultation(
            actor=request.user, item=item, notes=form.cleaned_data["notes"]
        )
    except REFUSALS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "The consultation is recorded in the decision record.")
    return back(item)


@require_POST
def statement(request, pk):
    item = item_for(request, pk)
    form = StatementForm(request.POST)
    if not form.is_valid():
        return _item_page(request, item, statement_form=form)
    try:
        services.agenda_item_statement_save(
            actor=request.user, item=item, statement=form.cleaned_data["statement"]
        )
    except services.PanelError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "The statement is with the papers.")
    return back(item)


def evidence_download(request, pk, evidence_pk):
    """Evidence in an item's papers, for those who may read the item; audited as a download."""
    item = item_for(request, pk)
    referral_ids = [item.referral_id] if item.referral_id else []
    if item.entry_id:
        referral_ids += list(item.entry.referrals.values_list("pk", flat=True))
    evidence = get_object_or_404(
        Evidence.objects.filter(referral_id__in=referral_ids).select_related("referral"),
        pk=evidence_pk,
    )
    audit.record_access(
        evidence, audit.Event.DOWNLOAD, papers=f"{item.meeting.reference} item {item.position}"
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urls = [
    path("items/<id:pk>/", item_detail, name="item_detail"),
    path("items/<id:pk>/live/", item_live, name="item_live"),
    path("items/<id:pk>/care-system/", care_system, name="care_system"),
    path("items/<id:pk>/statement/", statement, name="statement"),
    path("items/<id:pk>/evidence/<id:evidence_pk>/", evidence_download, name="evidence_download"),
]
