"""The agenda: adding, moving and withdrawing items, and inviting the Operations Manager or a
Legal Services adviser. Assurance and the chair only; object URLs go through the audited 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from panel import services
from panel.forms import (
    AgendaItemForm,
    InviteeForm,
    WithdrawItemForm,
)
from panel.models import UNDECIDED, AgendaItem, Invitee
from panel.selectors import (
    AGENDA_ROLES,
    legal_adviser_missing,
    legal_adviser_reasons,
    may_change_agenda,
    may_invite,
    may_withdraw,
    visible_items,
    visible_meetings,
)
from panel.views.meetings import with_individuals
from referrals.models import Referral, ReferralStatus
from schedule.models import AccessGrant, AccessGrantStatus, Entry
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.entry_status import EntryStatus
from ubpanel.errors import error_text
from ubpanel.models import User
from ubpanel.pages import add_refusal, form_page, submit
from ubpanel.roles import role_required


def _waiting_subjects():
    """What may still go on an agenda: nothing already waiting on one."""
    on_agenda = AgendaItem.objects.filter(status__in=UNDECIDED)
    referrals = (
        Referral.objects.filter(status=ReferralStatus.READY_FOR_PANEL)
        .exclude(pk__in=on_agenda.filter(referral__isnull=False).values("referral_id"))
        .select_related("person")
        .order_by("submitted_at", "pk")
    )
    entries = (
        Entry.objects.filter(status__in=[EntryStatus.PENDING_RATIFICATION, EntryStatus.ACTIVE])
        .exclude(pk__in=on_agenda.filter(entry__isnull=False).values("entry_id"))
        .select_related("person")
        .order_by("person__family_name", "person__given_names", "pk")
    )
    grants = (
        AccessGrant.objects.filter(status=AccessGrantStatus.REQUESTED)
        .exclude(pk__in=on_agenda.filter(access_grant__isnull=False).values("access_grant_id"))
        .select_related("service", "user")
        .order_by("requested_at", "pk")
    )
    return list(referrals), list(entries), list(grants)


@role_required(AGENDA_ROLES)
def item_add(request, pk):
    meeting = get_object_or_404(visible_meetings(request.user), pk=pk)
    if not may_change_agenda(request.user, meeting):
        messages.error(request, "The meeting is closed: nothing more goes on its agenda.")
        return redirect("panel:meeting_detail", pk=meeting.pk)
    referrals, entries, grants = _waiting_subjects()
    audit.record_access([*referrals, *entries, *grants], audit.Event.LIST)
    form = AgendaItemForm(
        request.POST or None, referrals=referrals, entries=entries, access_grants=grants
    )
    subject = form.subject() if form.is_bound and form.is_valid() else {}
    done = submit(
        request,
        form,
        lambda data: services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            kind=data["kind"],
            statement=data["statement"],
            **subject,
        ),
        field="entry" if "entry" in subject else next(iter(subject), None),
    )
    if done:
        item = done.value
        messages.success(request, f"Item {item.position} added: {item.get_kind_display()}.")
        return redirect("panel:meeting_detail", pk=meeting.pk)
    return form_page(
        request, "panel/agenda_item_form.html", {"form": form, "meeting": meeting}, form
    )


def _agenda_items(user):
    """Items ``user`` may change on the agenda: every visible item for Assurance and the chair."""
    return visible_items(user).select_related("meeting")


@require_POST
@role_required(AGENDA_ROLES)
def item_move(request, pk):
    item = get_object_or_404(_agenda_items(request.user), pk=pk)
    if not may_change_agenda(request.user, item.meeting):
        messages.error(request, "The meeting is closed: its agenda is part of the minutes.")
    else:
        item = services.agenda_item_move(
            actor=request.user, item=item, up=request.POST.get("direction") == "up"
        )
        messages.success(request, f"{item.get_kind_display()} is item {item.position} now.")
    return redirect(reverse("panel:meeting_detail", args=[item.meeting_id]) + f"#item-{item.pk}")


@role_required(AGENDA_ROLES)
def item_withdraw(request, pk):
    """Take an item off the agenda before it is decided: the page asks why; only the POST does it."""
    item = get_object_or_404(
        _agenda_items(request.user).select_related(
            "referral__person", "entry__person", "access_grant__service", "access_grant__user"
        ),
        pk=pk,
    )
    people = with_individuals([item])
    audit.record_access([item, *people])
    form = WithdrawItemForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.agenda_item_withdraw(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_refusal(form, error, field="reason")
        except services.PanelError as error:
            # Nothing to put right on the form: the item is no longer there to withdraw.
            messages.error(request, error_text(error))
            return redirect("panel:meeting_detail", pk=item.meeting_id)
        else:
            messages.success(request, f"Item {item.position} withdrawn from the agenda.")
            return redirect("panel:meeting_detail", pk=item.meeting_id)
    return form_page(
        request,
        "panel/agenda_item_withdraw.html",
        {"item": item, "form": form, "may_withdraw": may_withdraw(request.user, item)},
        form,
    )


@role_required(AGENDA_ROLES)
def item_invitees(request, pk):
    """Invite the Operations Manager to present the case, or a Legal Services adviser."""
    item = get_object_or_404(
        _agenda_items(request.user).select_related(
            "referral__person",
            "entry__person",
            "access_grant__service",
            "access_grant__user",
            "decision",
        ),
        pk=pk,
    )
    people = with_individuals([item])
    audit.record_access([item, *people])
    invitees = list(item.invitees.select_related("user", "invited_by").order_by("pk"))
    inviting = may_invite(request.user, item)
    users = User.objects.filter(is_active=True, is_superuser=False).select_related("service")
    form = InviteeForm(
        request.POST if request.method == "POST" else None,
        users=users.order_by("first_name", "last_name", "username"),
    )
    done = inviting and submit(
        request,
        form,
        lambda data: services.invitee_add(
            actor=request.user, item=item, user=data["user"], role=data["role"]
        ),
        field="user",
    )
    if done:
        invitee = done.value
        messages.success(request, f"{invitee.user} invited as {invitee.get_role_display()}.")
        return redirect("panel:item_invitees", pk=item.pk)
    return form_page(
        request,
        "panel/agenda_item_invitees.html",
        {
            "item": item,
            "invitees": invitees,
            "form": form,
            "may_invite": inviting,
            "legal_reasons": legal_adviser_reasons(item)
            if legal_adviser_missing(item, invitees)
            else [],
        },
        form,
    )


@require_POST
@role_required(AGENDA_ROLES)
def invitee_remove(request, pk):
    invitee = get_object_or_404(
        Invitee.objects.filter(item__in=visible_items(request.user)).select_related("user"),
        pk=pk,
    )
    services.invitee_remove(actor=request.user, invitee=invitee)
    messages.success(request, f"{invitee.user} is no longer invited.")
    return redirect("panel:item_invitees", pk=invitee.item_id)


urls = [
    path("meetings/<id:pk>/items/new/", item_add, name="item_add"),
    path("items/<id:pk>/move/", item_move, name="item_move"),
    path("items/<id:pk>/withdraw/", item_withdraw, name="item_withdraw"),
    path("items/<id:pk>/invitees/", item_invitees, name="item_invitees"),
    path("invitees/<id:pk>/remove/", invitee_remove, name="invitee_remove"),
]
