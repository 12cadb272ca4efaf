"""The committee statistics page and its exports. Every figure names nobody; viewing and each
export are audited all the same (what was looked at, for which period)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from reports import charts
from reports.exports import XLSX_TYPE, table_csv, workbook
from reports.models import CommitteeReport
from reports.periods import period_from
from reports.statistics import all_tables, statistics, table_named
from ubpanel import audit
from ubpanel.roles import STATISTICS_ROLES, role_required


def _audit(event: audit.Event, period, what: str, **detail) -> None:
    audit.record(
        event,
        model=CommitteeReport,
        object_repr=f"Committee statistics: {what}",
        period_start=period.start.isoformat(),
        period_end=period.end.isoformat(),
        **detail,
    )


@never_cache
@role_required(STATISTICS_ROLES)
def statistics_page(request):
    form, period = period_from(request.GET)
    sections = []
    if period is not None:
        sections = statistics(period)
        charts.draw(all_tables(sections))
        _audit(audit.Event.VIEW, period, "page")
    context = {
        "form": form,
        "period": period,
        "sections": sections,
        "reports": CommitteeReport.objects.filter(requested_by=request.user)[:5],
    }
    return render(request, "reports/statistics.html", context, status=200 if period else 400)


def _period_or_404(request):
    form, period = period_from(request.GET)
    if period is None:
        raise Http404("Choose a valid period on the statistics page.")
    return period


@never_cache
@role_required(STATISTICS_ROLES)
def statistics_csv(request, slug):
    period = _period_or_404(request)
    table = table_named(statistics(period), slug)
    if table is None:
        raise Http404("No such table.")
    _audit(audit.Event.EXPORT, period, table.title, format="csv", table=slug)
    response = HttpResponse(table_csv(table, period), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{period.slug}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@role_required(STATISTICS_ROLES)
def statistics_xlsx(request):
    period = _period_or_404(request)
    _audit(audit.Event.EXPORT, period, "every table", format="xlsx")
    response = HttpResponse(workbook(statistics(period), period), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="committee-statistics-{period.slug}.xlsx"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
