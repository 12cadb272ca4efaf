"""Who viewed this person (issue 14, point 1): every view, list row, search hit, download, export
and change naming them, by whom, when and from where; filterable by date and kind, downloadable
as CSV. For the auditor, the Information Asset Owner (the panel chair) and the data protection
officer; reading it, and downloading it, are audited against the person."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from auditlog.models import LogEntry
from django import forms
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from rights.who_viewed import (
    KIND_CHOICES,
    audit_entries_about,
    in_date_range,
    kind_of,
    of_kinds,
    people_whose_views_are_readable,
)
from ubpanel import audit
from ubpanel.access import get_object_or_404
from ubpanel.forms import DATE_INPUT, GovukForm
from ubpanel.roles import WHO_VIEWED_READERS, role_required
from ubpanel.spreadsheet import csv_cell

ROWS_PER_PAGE = 50
KIND_NAMES = dict(KIND_CHOICES)
CHANGE_NAMES = {
    LogEntry.Action.CREATE: "Created",
    LogEntry.Action.UPDATE: "Changed",
    LogEntry.Action.DELETE: "Deleted",
}
EVENT_NAMES = dict(audit.Event.choices)


class WhoViewedFilterForm(GovukForm):
    date_from = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label="To", required=False, widget=DATE_INPUT)
    kind = forms.MultipleChoiceField(
        label="What was done",
        required=False,
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def filters(self) -> dict[str, str | list[str]]:
        """What the report was filtered by, for its audit row."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in data.items()
            if value
        }


def _rows(request, pk):
    """The person, the filter form, and their audit rows filtered by it (none when it is refused)."""
    person = get_object_or_404(people_whose_views_are_readable(request.user), pk=pk)
    form = WhoViewedFilterForm(request.GET if _filtered(request) else None)
    entries = audit_entries_about(person.pk).select_related("actor__service")
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    elif form.is_bound:
        data = form.cleaned_data
        entries = of_kinds(in_date_range(entries, data["date_from"], data["date_to"]), data["kind"])
    return person, form, entries.order_by("-timestamp", "-pk").prefetch_related("actor__groups")


def _filtered(request) -> bool:
    # A date is posted as its three boxes: date_from_day, date_from_month, date_from_year.
    return any(
        key == name or key.startswith(f"{name}_")
        for key in request.GET
        for name in WhoViewedFilterForm.base_fields
    )


def _describe(entry: LogEntry, *, anonymised: bool) -> dict:
    """One row of the report: who, when, from where, what."""
    actor = entry.actor
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    if entry.action == LogEntry.Action.ACCESS:
        event = EVENT_NAMES.get(data.get("event"), data.get("event") or "Accessed")
    else:
        event = CHANGE_NAMES.get(entry.action, entry.get_action_display())
    record = (entry.content_type.name if entry.content_type_id else "record").capitalize()
    return {
        "entry": entry,
        "when": entry.timestamp,
        "who": str(actor) if actor else "",
        "username": actor.username if actor else "",
        # Roles are groups, read with the page (prefetched): no query per row.
        "roles": ", ".join(sorted(group.name for group in actor.groups.all())) if actor else "",
        "service": str(actor.service) if actor and actor.service_id else "",
        "remote_addr": entry.remote_addr or "",
        "kind": KIND_NAMES.get(kind_of(entry), ""),
        "event": event,
        "record": record,
        "record_id": entry.object_pk,
        # An anonymised person's old rows may still carry a name in their description: the ids stay.
        "description": "" if anonymised else entry.object_repr,
        "path": data.get("path", ""),
    }


@role_required(WHO_VIEWED_READERS)
def person_viewed(request, pk):
    person, form, entries = _rows(request, pk)
    page = Paginator(entries, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    anonymised = person.anonymised_at is not None
    rows = [_describe(entry, anonymised=anonymised) for entry in page.object_list]
    audit.record(
        audit.Event.VIEW,
        objects=[person],
        report="who-viewed",
        filters=form.filters(),
        page=page.number,
        shown=len(rows),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rights/person_viewed.html",
        {
            "person": person,
            "anonymised": anonymised,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


CSV_COLUMNS = [
    ("when", "When"),
    ("who", "Who"),
    ("username", "Username"),
    ("roles", "Roles"),
    ("service", "Service"),
    ("remote_addr", "From (address)"),
    ("kind", "Kind"),
    ("event", "What was done"),
    ("record", "Record"),
    ("record_id", "Record id"),
    ("description", "Description"),
    ("path", "Page"),
]


class _Echo:
    def write(self, value):
        return value


def _csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([label for _key, label in CSV_COLUMNS])
    for row in rows:
        yield writer.writerow([csv_cell(row[key]) for key, _label in CSV_COLUMNS])


@never_cache
@role_required(WHO_VIEWED_READERS)
def person_viewed_csv(request, pk):
    """The filtered report as a spreadsheet, every row (not one page); audited as a download."""
    person, form, entries = _rows(request, pk)
    anonymised = person.anonymised_at is not None
    audit.record(
        audit.Event.DOWNLOAD,
        objects=[person],
        report="who-viewed",
        format="csv",
        filters=form.filters(),
    )
    rows = (_describe(entry, anonymised=anonymised) for entry in entries.iterator(chunk_size=500))
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="who-viewed-person-{person.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
