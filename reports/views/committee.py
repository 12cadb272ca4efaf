"""The committee report: asking for one for a period (from the statistics page), following its
progress, and downloading it. It names nobody, so anyone who reads the statistics may open and
download any report; viewing and each download are audited all the same."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reports.build import file_name
from reports.periods import PeriodForm
from reports.selectors import may_download_committee_report, visible_committee_reports
from reports.services import committee_report_request
from ubpanel import audit, made_files
from ubpanel.access import get_object_or_404
from ubpanel.roles import STATISTICS_ROLES, role_required


@require_POST
@role_required(STATISTICS_ROLES)
def committee_report_new(request):
    form = PeriodForm(request.POST)
    if not form.is_valid():
        # The period comes from the statistics page's hidden fields: back there, whose form says
        # what is wrong beside its fields and keeps what was sent.
        sent = {
            key: value for key, value in request.POST.items() if key.startswith(("start", "end"))
        }
        return redirect(f"{reverse('reports:statistics')}?{urlencode(sent)}#period")
    report = committee_report_request(actor=request.user, period=form.period())
    messages.success(request, "The report has been asked for. This page shows how far it has got.")
    return redirect("reports:committee_report", pk=report.pk)


@role_required(STATISTICS_ROLES)
def committee_report(request, pk):
    report = get_object_or_404(visible_committee_reports(request.user), pk=pk)
    context = {
        "report": report,
        **made_files.progress_context(report),
        "may_download": may_download_committee_report(request.user, report),
        "period": report.period,
        "again_url": f"{reverse('reports:statistics')}?{report.period.query()}#period",
    }
    if request.htmx:
        return render(request, "reports/_committee_report_progress.html", context)
    audit.record_access(report)
    return render(request, "reports/committee_report.html", context)


@never_cache
@role_required(STATISTICS_ROLES)
def committee_report_download(request, pk):
    report = get_object_or_404(visible_committee_reports(request.user), pk=pk)
    if not may_download_committee_report(request.user, report):
        messages.error(request, "The report cannot be downloaded: see its status below.")
        return redirect("reports:committee_report", pk=report.pk)
    return made_files.file_response(
        report, filename=file_name(report), content_type="application/pdf", report=report.reference
    )
