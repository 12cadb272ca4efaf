"""Address warnings: specific addresses with their own risk tier and what staff should do there.

The case roles read them here, live or ended (``may_read_address_warnings``); the chair and the
Assurance team add, change and end them (``may_manage_address_warning``). Anyone else asking for
any of these pages gets the audited 404, the same as for a warning that does not exist. Frontline
staff meet the live warnings their access covers in search results (``schedule.search``), not here.
"""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from schedule.forms import AddressWarningChangeForm, AddressWarningForm, EndAddressWarningForm
from schedule.models import AddressWarning
from schedule.selectors import (
    may_manage_address_warning,
    may_read_address_warnings,
    visible_address_warnings,
)
from schedule.services import address_warning_add, address_warning_end, address_warning_update
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.pages import form_page, submit
from ubpanel.tiers import TIER_DEFINITIONS

WARNINGS_PER_PAGE = 25


def _readable(user) -> QuerySet[AddressWarning]:
    if may_read_address_warnings(user):
        return visible_address_warnings(user)
    return AddressWarning.objects.none()


def _changeable(user) -> QuerySet[AddressWarning]:
    if may_manage_address_warning(user):
        return visible_address_warnings(user)
    return AddressWarning.objects.none()


def _allowed_or_404(may):
    """For the pages that are not one warning: others get the 404 that ``get_object_or_404``
    gives on the pages that are (audited, like every refusal, by ubpanel.refusals)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not may(request.user):
                raise Http404("No address warning matches the given query.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@_allowed_or_404(may_read_address_warnings)
def warning_list(request):
    warnings = (
        visible_address_warnings(request.user)
        .select_related("created_by", "entry")
        # Live warnings first ("live" sorts before "removed"), then by postcode.
        .order_by("status", "postcode_normalised", "address", "pk")
    )
    page = Paginator(warnings, WARNINGS_PER_PAGE).get_page(request.GET.get("page"))
    audit.record_access(page.object_list, audit.Event.LIST)
    return render(
        request,
        "schedule/address_warning_list.html",
        {"page": page, "may_change": may_manage_address_warning(request.user)},
    )


@_allowed_or_404(may_manage_address_warning)
def warning_add(request):
    form = AddressWarningForm(request.POST if request.method == "POST" else None)
    done = submit(request, form, lambda data: address_warning_add(actor=request.user, **data))
    if done:
        messages.success(
            request,
            f"The warning for {done.value} is on the schedule: staff searching the address or "
            "postcode will see it if their access covers its tier.",
        )
        return redirect("schedule:address_warning_detail", pk=done.value.pk)
    return form_page(
        request, "schedule/address_warning_form.html", {"form": form, "warning": None}, form
    )


def warning_detail(request, pk):
    warning = get_object_or_404(
        _readable(request.user).select_related("created_by", "entry", "ended_by"), pk=pk
    )
    audit.record_access(warning)
    return render(
        request,
        "schedule/address_warning_detail.html",
        {
            "warning": warning,
            "tier_definition": TIER_DEFINITIONS.get(warning.tier, ""),
            "may_change": may_manage_address_warning(request.user, warning),
        },
    )


def warning_edit(request, pk):
    """A new tier, or new guidance for staff, after the risk at the address was assessed again."""
    warning = get_object_or_404(_changeable(request.user).select_related("entry"), pk=pk)
    audit.record_access(warning)
    if not may_manage_address_warning(request.user, warning):
        messages.error(request, f"The warning for {warning} has ended: it cannot be changed.")
        return redirect("schedule:address_warning_detail", pk=warning.pk)
    form = AddressWarningChangeForm(
        request.POST if request.method == "POST" else None,
        initial={"tier": warning.tier, "guidance": warning.guidance},
    )
    if submit(
        request,
        form,
        lambda data: address_warning_update(actor=request.user, warning=warning, **data),
    ):
        messages.success(request, f"The warning for {warning} is changed.")
        return redirect("schedule:address_warning_detail", pk=warning.pk)
    return form_page(
        request, "schedule/address_warning_form.html", {"form": form, "warning": warning}, form
    )


def warning_end(request, pk):
    """The page asks why the warning is ending and to confirm; only the POST ends it."""
    warning = get_object_or_404(_changeable(request.user).select_related("entry"), pk=pk)
    audit.record_access(warning)
    form = EndAddressWarningForm(request.POST if request.method == "POST" else None)
    if submit(
        request,
        form,
        lambda data: address_warning_end(
            actor=request.user, warning=warning, reason=data["reason"]
        ),
    ):
        messages.success(request, f"The warning for {warning} has ended: staff no longer see it.")
        return redirect("schedule:address_warning_detail", pk=warning.pk)
    return form_page(
        request,
        "schedule/address_warning_end.html",
        {
            "form": form,
            "warning": warning,
            "may_end": may_manage_address_warning(request.user, warning),
        },
        form,
    )


urls = [
    path("address-warnings/", warning_list, name="address_warning_list"),
    path("address-warnings/new/", warning_add, name="address_warning_add"),
    path("address-warnings/<id:pk>/", warning_detail, name="address_warning_detail"),
    path("address-warnings/<id:pk>/edit/", warning_edit, name="address_warning_edit"),
    path("address-warnings/<id:pk>/end/", warning_end, name="address_warning_end"),
]
