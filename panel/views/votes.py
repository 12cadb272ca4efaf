"""The vote's buttons on the item screen: opening it, voting, closing it. With htmx they answer
with the live part of the screen; without, they go back to the whole screen."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from panel import services
from panel.item_forms import VoteForm
from panel.views.items import back, item_for, live_context
from ubpanel.errors import error_text


def _respond(request, item):
    """After a vote action: the live part for htmx, the whole screen otherwise."""
    if request.htmx:
        return render(request, "panel/_item_live.html", live_context(item, request.user))
    return back(item)


@require_POST
def ballot_open(request, pk):
    item = item_for(request, pk)
    try:
        services.ballot_open(actor=request.user, item=item)
    except services.PanelError as error:
        messages.error(request, error_text(error))
        return back(item)
    item.refresh_from_db()
    return _respond(request, item)


@require_POST
def ballot_close(request, pk):
    item = item_for(request, pk)
    try:
        ballot = services.ballot_close(actor=request.user, item=item)
    except services.PanelError as error:
        messages.error(request, error_text(error))
        return back(item)
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
    item = item_for(request, pk)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose for, against or abstain.")
        return back(item)
    try:
        services.vote_cast(actor=request.user, item=item, choice=form.cleaned_data["choice"])
    except services.PanelError as error:
        messages.error(request, error_text(error))
        return back(item)
    return _respond(request, item)


urls = [
    path("items/<id:pk>/vote/open/", ballot_open, name="ballot_open"),
    path("items/<id:pk>/vote/close/", ballot_close, name="ballot_close"),
    path("items/<id:pk>/vote/", vote, name="vote"),
]
