"""The item screen: papers, declarations, the proposal, the vote - and the live part of it that every
member's screen polls while a vote is open.

Who may open an item is ``visible_items``: the panel, Assurance and the Monitoring Officer see every
item; an invitee sees only the items they are invited to (papers only: they never vote).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from panel import services
from panel.item_forms import (
    CareSystemForm,
    CorrectionForm,
    DeclarationForm,
    ProposalForm,
    RulingForm,
    StatementForm,
    VoteForm,
)
from panel.models import (
    PERSON_KINDS,
    AgendaItem,
    Decision,
    DecisionStatus,
    Declaration,
    Invitee,
    InviteeRole,
    ItemStatus,
    MeetingStatus,
    Seat,
    SeatMember,
)
from panel.selectors import (
    can_manage_agenda,
    chair_holder,
    chair_is_absent,
    eligibility,
    legal_adviser_missing,
    legal_adviser_reasons,
    presides,
    sees_all_papers,
    sitting,
    visible_items,
)
from referrals.models import Evidence, Referral
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.middleware import passive_session
from ubpanel.roles import can_see_special_category
from ubpanel.tiers import TIER_DEFINITIONS

# How often an open meeting screen asks for the latest votes (the issue: within 2 seconds).
POLL_SECONDS = 1


def _item(request, pk) -> AgendaItem:
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


def _live_context(item: AgendaItem, user) -> dict:
    """The part of the screen that changes during the meeting: eligibility, the vote, the tally."""
    meeting = item.meeting
    seat = sitting(meeting, user)
    ballot = item.ballots.order_by("-number").first()
    votes = list(ballot.votes.all()) if ballot else []
    voted = {vote.seat for vote in votes}
    mine = next((v for v in votes if seat and v.seat == seat.seat), None)
    chairing = presides(user, meeting)
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
        "may_vote": bool(ballot and ballot.is_open and seat and seat.seat in ballot.eligible_seats),
        "chairing": chairing,
        "decision": decision,
        "proposal_problems": services.decision_problems(item, decision),
        "poll_seconds": POLL_SECONDS,
        "polling": meeting.status == MeetingStatus.OPEN and item.status != ItemStatus.DECIDED,
    }


def item_detail(request, pk):
    item = _item(request, pk)
    user = request.user
    invitation = Invitee.objects.filter(item=item, user=user).first()
    context = {
        **_live_context(item, user),
        **_papers(item, user),
        "invitation": invitation,
        "invitees": list(item.invitees.select_related("user")),
        "declarations": list(item.declarations.select_related("user", "ruled_by")),
        "may_declare": item.status in (ItemStatus.LISTED,)
        and SeatMember.objects.filter(user=user, active=True).exists()
        and not item.declarations.filter(user=user).exists(),
        "is_member_view": sees_all_papers(user),
        "may_record_care_system": (s := sitting(item.meeting, user)) is not None
        and s.seat == Seat.ADULT_SOCIAL_CARE
        and item.status == ItemStatus.LISTED
        and item.kind in PERSON_KINDS,
        "care_form": CareSystemForm(),
        "may_write_statement": item.status == ItemStatus.LISTED
        and (
            (invitation and invitation.role == InviteeRole.OPERATIONS_MANAGER)
            or (sees_all_papers(user) and services.can_manage_agenda(user))
        ),
        "may_correct": item.status == ItemStatus.DECIDED
        and (holder := chair_holder()) is not None
        and holder.user_id == user.pk,
        "corrections": list(item.decision.corrections.select_related("corrected_by"))
        if hasattr(item, "decision")
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
        if services.can_rule(user, d, holder=holder, chair_absent=chair_absent)
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
    return render(request, "panel/item_detail.html", context)


@passive_session
def item_live(request, pk):
    """The polled part of the meeting screen. It carries no personal data of the individual (who has
    voted, not how, until the vote closes), so a poll is not an audited view of the papers."""
    item = _item(request, pk)
    return render(request, "panel/_item_live.html", _live_context(item, request.user))


def _back(item: AgendaItem):
    return redirect("panel:item_detail", pk=item.pk)


def _refused(request, item, error):
    messages.error(request, str(error.message if isinstance(error, ValidationError) else error))
    return _back(item)


def declare(request, pk):
    item = _item(request, pk)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_make(
                actor=request.user, item=item, interest=form.cleaned_data["interest"]
            )
        except (services.PanelError, ValidationError) as error:
            form.add_error(
                "interest", error.message if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(
                request,
                "Your interest is recorded. The chair (or, in the chair's absence, the Monitoring "
                "Officer) will rule on whether you take part in the decision.",
            )
            return _back(item)
    return render(
        request,
        "panel/item_declare.html",
        {"item": item, "form": form},
        status=400 if form.errors else 200,
    )


def declaration_rule(request, pk):
    declaration = get_object_or_404(
        Declaration.objects.filter(item__in=visible_items(request.user)).select_related(
            "item__meeting", "user"
        ),
        pk=pk,
    )
    if not services.can_rule(request.user, declaration):
        raise PermissionDenied
    item = declaration.item
    form = RulingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_rule(
                actor=request.user,
                declaration=declaration,
                exclude=form.cleaned_data["ruling"] == "exclude",
                reason=form.cleaned_data["reason"],
            )
        except (services.PanelError, ValidationError) as error:
            form.add_error(
                "reason", error.message if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(request, f"Your ruling on {declaration.user}'s interest is recorded.")
            return _back(item)
    return render(
        request,
        "panel/item_rule.html",
        {"item": item, "declaration": declaration, "form": form},
        status=400 if form.errors else 200,
    )


def proposal(request, pk):
    """The chair records the proposed decision, in the protocol's order, before putting it to the
    vote."""
    item = _item(request, pk)
    if not presides(request.user, item.meeting):
        raise PermissionDenied
    decision = Decision.objects.filter(item=item).first()
    form = ProposalForm(request.POST or None, instance=decision or Decision(item=item), item=item)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.decision_draft_save(actor=request.user, item=item, **fields)
        except (services.PanelError, ValidationError) as error:
            form.add_error(
                None, error.message if isinstance(error, ValidationError) else str(error)
            )
        else:
            messages.success(request, "The proposal is recorded. Put it to the vote when ready.")
            return _back(item)
    audit.record_access([item, *([item.referral] if item.referral_id else [])])
    return render(
        request,
        "panel/item_proposal.html",
        {"item": item, "form": form, "tier_definitions": TIER_DEFINITIONS},
        status=400 if form.errors else 200,
    )


@require_POST
def care_system(request, pk):
    item = _item(request, pk)
    form = CareSystemForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Record what the consultation found.")
        return _back(item)
    try:
        services.decision_record_care_system_consultation(
            actor=request.user, item=item, notes=form.cleaned_data["notes"]
        )
    except (services.PanelError, ValidationError) as error:
        return _refused(request, item, error)
    messages.success(request, "The consultation is recorded in the decision record.")
    return _back(item)


@require_POST
def statement(request, pk):
    item = _item(request, pk)
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_statement_save(
                actor=request.user, item=item, statement=form.cleaned_data["statement"]
            )
        except services.PanelError as error:
            return _refused(request, item, error)
        messages.success(request, "The statement is with the papers.")
    return _back(item)


def _respond(request, item):
    """After a vote action: the live part for htmx, the whole screen otherwise."""
    if request.htmx:
        return render(request, "panel/_item_live.html", _live_context(item, request.user))
    return _back(item)


@require_POST
def ballot_open(request, pk):
    item = _item(request, pk)
    try:
        services.ballot_open(actor=request.user, item=item)
    except services.PanelError as error:
        messages.error(request, str(error))
        return _back(item)
    item.refresh_from_db()
    return _respond(request, item)


@require_POST
def ballot_close(request, pk):
    item = _item(request, pk)
    try:
        ballot = services.ballot_close(actor=request.user, item=item)
    except services.PanelError as error:
        messages.error(request, str(error))
        return _back(item)
    if not request.htmx:
        messages.success(
            request,
            "The motion was carried: the decision is recorded and has taken effect."
            if ballot.carried
            else "The motion was not carried. You may change the proposal and put it again.",
        )
    item.refresh_from_db()
    return _respond(request, item)


@require_POST
def vote(request, pk):
    item = _item(request, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose for, against or abstain.")
        return _back(item)
    try:
        services.vote_cast(actor=request.user, item=item, choice=form.cleaned_data["choice"])
    except services.PanelError as error:
        messages.error(request, str(error))
        return _back(item)
    return _respond(request, item)


def decision_correct(request, pk):
    decision = get_object_or_404(
        Decision.objects.filter(
            item__in=visible_items(request.user), status=DecisionStatus.FINAL
        ).select_related("item__meeting"),
        pk=pk,
    )
    holder = chair_holder()
    if holder is None or holder.user_id != request.user.pk:
        raise PermissionDenied
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_correct(
                actor=request.user,
                decision=decision,
                field=data["field"],
                value=data["value"],
                reason=data["reason"],
            )
        except (services.PanelError, ValidationError) as error:
            form.add_error(
                "tier" if data["field"] == "tier" else "value",
                error.message if isinstance(error, ValidationError) else str(error),
            )
        else:
            messages.success(request, "The correction is recorded with the decision.")
            return _back(decision.item)
    return render(
        request,
        "panel/item_correct.html",
        {"item": decision.item, "decision": decision, "form": form},
        status=400 if form.errors else 200,
    )


def evidence_download(request, pk, evidence_pk):
    """Evidence in an item's papers, for those who may read the item; audited as a download."""
    item = _item(request, pk)
    referral_ids = [item.referral_id] if item.referral_id else []
    if item.entry_id:
        referral_ids += list(item.entry.referrals.values_list("pk", flat=True))
    evidence = get_object_or_404(
        Evidence.objects.filter(referral_id__in=referral_ids), pk=evidence_pk
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
    path("items/<int:pk>/", item_detail, name="item_detail"),
    path("items/<int:pk>/live/", item_live, name="item_live"),
    path("items/<int:pk>/declare/", declare, name="declare"),
    path("items/<int:pk>/proposal/", proposal, name="proposal"),
    path("items/<int:pk>/care-system/", care_system, name="care_system"),
    path("items/<int:pk>/statement/", statement, name="statement"),
    path("items/<int:pk>/vote/open/", ballot_open, name="ballot_open"),
    path("items/<int:pk>/vote/close/", ballot_close, name="ballot_close"),
    path("items/<int:pk>/vote/", vote, name="vote"),
    path("items/<int:pk>/evidence/<int:evidence_pk>/", evidence_download, name="evidence_download"),
    path("declarations/<int:pk>/rule/", declaration_rule, name="declaration_rule"),
    path("decisions/<int:pk>/correct/", decision_correct, name="decision_correct"),
]
