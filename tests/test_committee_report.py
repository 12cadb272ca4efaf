"""The committee report (issue 17): the statistics for a period as one PDF, made by a Celery task,
its progress shown; it names nobody, is open to those who read the statistics, and is deleted
after COMMITTEE_REPORT_DAYS."""

import hashlib
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from celery.schedules import crontab
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from reports import build
from reports.models import CommitteeReport
from reports.periods import Period
from reports.services import committee_report_request
from reports.statistics import all_tables, statistics
from reports.tasks import committee_reports_expire
from ubpanel import made_files
from ubpanel.celery import app
from ubpanel.made_files import ExportStatus
from ubpanel.roles import Role

from .factories import ActiveEntryFactory, PersonFactory, SubmittedReferralFactory, UserFactory
from .workers import forget_queue, wait_for, worker_start

pytestmark = pytest.mark.django_db
# Names nobody should find in the PDF: the people in the records, and the staff around them.
PEOPLE = ("Quillon", "Marchbanks", "Ysolde", "Fairweather-Plimsoll", "Ottoline")
MADE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def chair():
    return UserFactory(roles=[Role.PANEL_CHAIR], first_name="Constance", last_name="Chairwoman")


@pytest.fixture
def period():
    return Period.last_twelve_months()


@pytest.fixture
def records():
    """Referrals and entries about people with names found nowhere else."""
    referrer = UserFactory(
        roles=[Role.REFERRING_MANAGER], first_name="Ottoline", last_name="Fairweather-Plimsoll"
    )
    quillon = PersonFactory(given_names="Ysolde", family_name="Quillon")
    marchbanks = PersonFactory(given_names="Ysolde", family_name="Marchbanks")
    for person in (quillon, marchbanks, quillon):
        SubmittedReferralFactory(
            referrer=referrer,
            person=person,
            subject_given_names=person.given_names,
            subject_family_name=person.family_name,
        )
    ActiveEntryFactory(person=quillon, record_owner=referrer)


@pytest.fixture
def quick_pdf(monkeypatch):
    """For tests about the row, the pages and the file's life: WeasyPrint takes seconds a report;
    the tests that read the PDF use the real one."""
    monkeypatch.setattr(build, "committee_report_pdf", lambda *args: b"%PDF-1.4 stub")


@pytest.fixture
def made(chair, period, django_capture_on_commit_callbacks):
    """``made()``: the chair asks for the report; the task (eager in tests) makes it."""

    def make(*, actor=None) -> CommitteeReport:
        with django_capture_on_commit_callbacks(execute=True):
            report = committee_report_request(actor=actor or chair, period=period)
        report.refresh_from_db()
        return report

    return make


def _stored_reports(tmp_path) -> list[Path]:
    folder = tmp_path / "private" / "committee-reports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _pdf_text(report: CommitteeReport) -> str:
    with report.file.open("rb") as file:
        body = file.read()
    assert body.startswith(b"%PDF")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    )
    return result.stdout.decode()


def _row_shown(text: str, label: str, values: list) -> bool:
    """A line of the PDF starts the row's label (its first word: a long one wraps in its cell)
    and ends with the row's figures, in order."""
    start = label.split()[0]
    figures = " ".join(str(value) for value in values)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return any(start in line and line.endswith(figures) for line in lines)


# --- Asking for it, making it --------------------------------------------------------------------
def test_the_report_is_made_ready_with_its_size_checksum_and_expiry(
    quick_pdf, made, period, settings
):
    report = made()

    with report.file.open("rb") as file:
        body = file.read()
    assert report.status == ExportStatus.READY
    assert report.progress == 100
    assert (report.period_start, report.period_end) == (period.start, period.end)
    assert report.size == len(body)
    assert report.sha256 == hashlib.sha256(body).hexdigest()
    assert report.expires_at == report.finished_at + timedelta(days=settings.COMMITTEE_REPORT_DAYS)
    assert report.file.name.endswith(f"committee-report-{period.slug}.pdf")


def test_the_build_saves_its_progress_as_it_goes(quick_pdf, made, monkeypatch):
    seen = []
    real = build.progress

    def watched(report, percent, stage):
        real(report, percent, stage)
        row = CommitteeReport.objects.get(pk=report.pk)
        seen.append((row.status, row.progress, row.stage))

    monkeypatch.setattr(build, "progress", watched)

    made()

    assert [status for status, _, _ in seen] == [ExportStatus.RUNNING] * len(seen)
    percents = [percent for _, percent, _ in seen]
    assert len(percents) >= 3
    assert percents == sorted(percents)
    assert "Writing the PDF" in [stage for _, _, stage in seen]


def test_a_report_is_made_once(quick_pdf, made):
    report = made()

    assert build.report_build(report.pk) is None


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.FRONTLINE, Role.DATA_PROTECTION])
def test_only_the_chair_or_an_auditor_may_ask(period, role):
    with pytest.raises(PermissionDenied):
        committee_report_request(actor=UserFactory(roles=[role]), period=period)
    assert not CommitteeReport.objects.exists()


def test_an_auditor_may_ask(quick_pdf, made):
    assert made(actor=UserFactory(roles=[Role.AUDITOR])).status == ExportStatus.READY


def test_a_failure_leaves_no_file_and_a_failed_row(made, monkeypatch, tmp_path):
    def broken(*args):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(build, "committee_report_pdf", broken)

    report = made()

    assert report.status == ExportStatus.FAILED
    assert "RuntimeError" in report.failure
    assert (report.file.name, report.size, report.sha256) == ("", None, "")
    assert _stored_reports(tmp_path) == []


def test_a_failure_after_the_file_was_stored_deletes_it(quick_pdf, made, monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise OSError("the database went away")

    monkeypatch.setattr(made_files, "_ready", refuse)

    report = made()

    assert report.status == ExportStatus.FAILED
    assert _stored_reports(tmp_path) == []


# --- The PDF -------------------------------------------------------------------------------------
def test_the_pdf_holds_every_tables_figures_and_names_nobody(records, made, period, chair):
    report = made()

    assert report.status == ExportStatus.READY, report.failure
    text = _pdf_text(report)
    flat = " ".join(text.split())
    assert "Unreasonable Behaviours Panel: report to the Audit and Governance Committee" in flat
    assert period.label in flat
    assert "This report names nobody; small equalities counts are withheld" in flat
    assert "Contents" in flat
    assert "Page 2 of" in flat
    tables = all_tables(statistics(period))
    assert any(str(value) == "3" for table in tables for row in table.rows for value in row.values)
    for table in tables:
        assert " ".join(table.title.split()) in flat
        for row in table.rows:
            assert _row_shown(text, row.label, row.values), (table.slug, row.label)
    for name in (*PEOPLE, chair.first_name, chair.last_name):
        assert name not in text


# --- The pages -----------------------------------------------------------------------------------
def _form_data(period: Period) -> dict:
    return {
        f"{name}_{part}": value
        for name, day in (("start", period.start), ("end", period.end))
        for part, value in (("day", day.day), ("month", day.month), ("year", day.year))
    }


def test_the_statistics_page_offers_the_report_for_its_period(auditor_client, period):
    page = auditor_client.get(reverse("reports:statistics"))

    assert page.status_code == 200
    assert "Make the committee report (PDF)" in page.text
    assert f'name="start_year" value="{period.start.year}"' in page.text
    assert reverse("reports:committee_report_new") in page.text


def test_asking_on_the_page_makes_it_and_shows_the_download_link(
    quick_pdf, chair_client, period, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = chair_client.post(reverse("reports:committee_report_new"), _form_data(period))

    report = CommitteeReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:committee_report", args=[report.pk])
    page = chair_client.get(response["Location"])
    assert "Ready to download" in page.text
    assert reverse("reports:committee_report_download", args=[report.pk]) in page.text
    assert "hx-get" not in page.text  # finished: no more polling
    listed = chair_client.get(reverse("reports:statistics"))
    assert reverse("reports:committee_report", args=[report.pk]) in listed.text


def test_the_page_shows_progress_while_the_report_is_made(auditor_client, period):
    report = CommitteeReport.objects.create(
        period_start=period.start,
        period_end=period.end,
        requested_by=UserFactory(roles=[Role.PANEL_CHAIR]),
        status=ExportStatus.RUNNING,
        progress=40,
        stage="Drawing the charts",
    )
    url = reverse("reports:committee_report", args=[report.pk])

    page = auditor_client.get(url)
    poll = auditor_client.get(url, headers={"HX-Request": "true"})

    assert "40% done: Drawing the charts" in page.text
    assert f'hx-get="{url}"' in page.text
    assert 'data-testid="export-refresh"' in page.text  # without JavaScript
    assert "Download the committee report" not in page.text
    assert "<html" not in poll.text
    assert "40% done" in poll.text
    download = auditor_client.get(reverse("reports:committee_report_download", args=[report.pk]))
    assert download.status_code == 302


def test_an_invalid_period_goes_back_to_the_statistics_page(chair_client, period):
    data = {**_form_data(period), "end_year": period.start.year - 1}

    response = chair_client.post(reverse("reports:committee_report_new"), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:statistics") + "?")
    assert not CommitteeReport.objects.exists()
    page = chair_client.get(response["Location"])
    assert "The period must end on or after the day it starts" in page.text


def test_the_request_enforces_csrf(chair, period):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair)

    response = client.post(reverse("reports:committee_report_new"), _form_data(period))

    assert response.status_code == 403
    assert not CommitteeReport.objects.exists()


def test_any_reader_of_the_statistics_downloads_it_and_the_download_is_audited(
    quick_pdf, made, auditor_client, audit_entries
):
    report = made()  # the chair's

    response = auditor_client.get(reverse("reports:committee_report_download", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"committee-report-{report.period_start.isoformat()}" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 stub"
    [row] = audit_entries(event="download")
    assert row.actor == auditor_client.user
    assert row.object_pk == str(report.pk)
    assert row.additional_data["sha256"] == report.sha256


@pytest.mark.parametrize("who", ["outsider_client", "frontline_client", "panel_client"])
@pytest.mark.parametrize("page", ["reports:committee_report", "reports:committee_report_download"])
def test_it_returns_404_to_others_and_audits_the_refusal(
    quick_pdf, made, request, who, page, audit_entries
):
    report = made()
    client = request.getfixturevalue(who)
    url = reverse(page, args=[report.pk])

    response = client.get(url)

    assert response.status_code == 404
    [row] = audit_entries(event="denied")
    assert row.actor == client.user
    assert row.additional_data["path"] == url
    assert audit_entries(event="download") == []


def test_others_cannot_ask_for_one(frontline_client, period):
    response = frontline_client.post(reverse("reports:committee_report_new"), _form_data(period))

    assert response.status_code == 403
    assert not CommitteeReport.objects.exists()


# --- Deleted after its time ----------------------------------------------------------------------
def test_the_expiry_job_deletes_the_file_and_keeps_the_row(
    quick_pdf, made, chair_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.COMMITTEE_REPORT_DAYS = 90
    with time_machine.travel(MADE, tick=False):
        report = made()
    assert len(_stored_reports(tmp_path)) == 1

    with (
        time_machine.travel(MADE + timedelta(days=89), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        committee_reports_expire()
    assert len(_stored_reports(tmp_path)) == 1
    with (
        time_machine.travel(MADE + timedelta(days=91), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert committee_reports_expire.delay().get() == 1

    report.refresh_from_db()
    assert report.status == ExportStatus.EXPIRED
    assert not report.file
    assert _stored_reports(tmp_path) == []
    page = chair_client.get(reverse("reports:committee_report", args=[report.pk]))
    assert "The file was deleted on" in page.text
    download = chair_client.get(reverse("reports:committee_report_download", args=[report.pk]))
    assert download.status_code == 302


def test_the_expiry_job_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["committee-reports-expire"]
    assert entry["task"] == "reports.tasks.committee_reports_expire"
    assert entry["schedule"] == crontab(hour=3, minute=50)


# --- A real worker -------------------------------------------------------------------------------
@pytest.fixture
def worker(broker_url, tmp_path, monkeypatch):
    queue = f"test-reports-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    assert Path(storages["private"].location) == tmp_path / "private"
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115
    process = worker_start(queue=queue, broker_url=broker_url, stdout=log, MEDIA_ROOT=str(tmp_path))
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    log.seek(0)
    print(log.read())
    log.close()
    forget_queue(broker_url, queue)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_pdf_once_the_request_is_committed(worker, chair, period):
    report = committee_report_request(actor=chair, period=period)

    def finished() -> bool:
        return CommitteeReport.objects.get(pk=report.pk).status in (
            ExportStatus.READY,
            ExportStatus.FAILED,
        )

    assert wait_for(finished)
    report.refresh_from_db()
    assert report.status == ExportStatus.READY, report.failure
    assert worker.poll() is None
    assert "Unreasonable Behaviours Panel" in _pdf_text(report)
