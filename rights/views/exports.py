"""Subject access exports: asking for one about a person, following its progress, and downloading
it (the requester only). Each page naming the person is audited against them."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from rights.exports.build import file_name
from rights.exports_selectors import exportable_people, may_download_export, visible_exports
from rights.services.exports import subject_access_export_request
from ubpanel import audit, made_files
from ubpanel.access import get_object_or_404
from ubpanel.forms import GovukForm
from ubpanel.pages import form_page, submit
from ubpanel.roles import SUBJECT_ACCESS_ROLES, role_required

EXPORTS_PER_PAGE = 25
REDACT_CHOICES = [
    ("yes", "Yes, replace each member of staff's name with their role"),
    ("no", "No, name the members of staff"),
]


class ExportRequestForm(GovukForm):
    redact = forms.ChoiceField(
        label="Replace the names of staff?",
        help_text="Staff are third parties to the individual. The people who signed the letters "
        "sent to them and their single point of contact stay named: the letters named them.",
        choices=REDACT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether to replace the names of staff"},
    )


@role_required(SUBJECT_ACCESS_ROLES)
def export_request(request, pk):
    person = get_object_or_404(exportable_people(request.user), pk=pk)
    default = "yes" if settings.SUBJECT_ACCESS_REDACT_STAFF_NAMES else "no"
    form = ExportRequestForm(
        request.POST if request.method == "POST" else None, initial={"redact": default}
    )
    done = submit(
        request,
        form,
        lambda data: subject_access_export_request(
            actor=request.user, person=person, redact_staff_names=data["redact"] == "yes"
        ),
    )
    if done:
        messages.success(
            request, "The export has been asked for. This page shows how far it has got."
        )
        return redirect("rights:export_detail", pk=done.value.pk)
    if request.method == "GET":
        audit.record_access(person)
    return form_page(
        request,
        "rights/export_request.html",
        {"person": person, "form": form, "days": settings.SUBJECT_ACCESS_EXPORT_DAYS},
        form,
    )


@role_required(SUBJECT_ACCESS_ROLES)
def export_list(request):
    exports = visible_exports(request.user)
    page = Paginator(exports, EXPORTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    audit.record_access(rows, audit.Event.LIST)
    return render(
        request,
        "rights/export_list.html",
        {"page": page, "exports": rows},
    )


@role_required(SUBJECT_ACCESS_ROLES)
def export_detail(request, pk):
    export = get_object_or_404(visible_exports(request.user), pk=pk)
    context = {
        "export": export,
        **made_files.progress_context(export),
        "may_download": may_download_export(request.user, export),
    }
    if request.htmx:
        # The polled part names nobody (status, progress, stage): a poll is not a view of the person.
        return render(request, "rights/_export_progress.html", context)
    audit.record_access(export)
    return render(request, "rights/export_detail.html", context)


@never_cache
@role_required(SUBJECT_ACCESS_ROLES)
def export_download(request, pk):
    export = get_object_or_404(visible_exports(request.user), pk=pk)
    if not may_download_export(request.user, export):
        messages.error(request, "The export cannot be downloaded: see its status below.")
        return redirect("rights:export_detail", pk=export.pk)
    return made_files.file_response(
        export, filename=file_name(export), content_type="application/zip", export=export.reference
    )
