"""Subject access exports are deleted SUBJECT_ACCESS_EXPORT_DAYS after they were made, by the
daily job: the file goes, the row stays (EXPIRED, with when), and the deletion is audited."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from rights.exports import build
from rights.models import ExportStatus, SubjectAccessExport
from rights.services.exports import subject_access_export_request
from rights.tasks.exports import subject_access_exports_expire
from ubpanel.roles import Role

from .factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
MADE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_summary(monkeypatch):
    monkeypatch.setattr(build, "summary_pdf", lambda data: b"%PDF-1.4 stub")


@pytest.fixture
def chair():
    return UserFactory(roles=[Role.PANEL_CHAIR])


@pytest.fixture
def export(chair, django_capture_on_commit_callbacks, settings):
    settings.SUBJECT_ACCESS_EXPORT_DAYS = 7
    with time_machine.travel(MADE, tick=False), django_capture_on_commit_callbacks(execute=True):
        made = subject_access_export_request(
            actor=chair, person=PersonFactory(), redact_staff_names=True
        )
    made.refresh_from_db()
    assert made.status == ExportStatus.READY
    return made


def _expire(when, django_capture_on_commit_callbacks):
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        return subject_access_exports_expire()


def test_an_export_is_kept_until_its_expiry(export, django_capture_on_commit_callbacks):
    assert export.expires_at == MADE + timedelta(days=7)

    assert _expire(MADE + timedelta(days=7, seconds=-1), django_capture_on_commit_callbacks) == 0

    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.file.storage.exists(export.file.name)


def test_an_export_past_its_expiry_is_deleted_and_the_row_kept(
    export, django_capture_on_commit_callbacks
):
    name = export.file.name

    assert _expire(MADE + timedelta(days=7), django_capture_on_commit_callbacks) == 1

    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED
    assert export.deleted_at == MADE + timedelta(days=7)
    assert not export.file
    assert not SubjectAccessExport._meta.get_field("file").storage.exists(name)
    assert _expire(MADE + timedelta(days=8), django_capture_on_commit_callbacks) == 0


def test_the_expiry_is_audited_naming_the_person(export, django_capture_on_commit_callbacks):
    _expire(MADE + timedelta(days=8), django_capture_on_commit_callbacks)

    [row] = [
        row
        for row in LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
        if row.additional_data.get("step") == "expired"
    ]
    assert row.additional_data["people"] == [export.person_id]
    assert row.object_pk == str(export.pk)
    change = LogEntry.objects.filter(
        action=LogEntry.Action.UPDATE, object_pk=str(export.pk)
    ).latest("pk")
    assert change.changes["status"] == ["ready", "expired"]


def test_an_expired_export_cannot_be_downloaded(
    export, chair, client, django_capture_on_commit_callbacks
):
    _expire(MADE + timedelta(days=8), django_capture_on_commit_callbacks)
    client.force_login(chair)

    response = client.get(reverse("rights:export_download", args=[export.pk]))

    assert response.status_code == 302
    page = client.get(reverse("rights:export_detail", args=[export.pk]))
    assert "The file was deleted on" in page.text


def test_an_export_lost_with_its_worker_is_failed_after_hours(
    chair, django_capture_on_commit_callbacks
):
    with time_machine.travel(MADE, tick=False):
        lost = SubjectAccessExport.objects.create(
            person=PersonFactory(), requested_by=chair, status=ExportStatus.RUNNING
        )

    _expire(MADE + timedelta(hours=7), django_capture_on_commit_callbacks)

    lost.refresh_from_db()
    assert lost.status == ExportStatus.FAILED
    assert "stopped" in lost.failure
