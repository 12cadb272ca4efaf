"""A subject access export made by a real Celery worker, in its own process, on the Redis broker
and the PostgreSQL test database: queued when the request commits, attributed to the requester."""

import uuid
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import storages

from rights.models import ExportStatus, SubjectAccessExport
from rights.services.exports import subject_access_export_request
from ubpanel.celery import app
from ubpanel.roles import Role

from .factories import PersonFactory, UserFactory
from .subject_access_zip import export_json, members, stored_zip
from .workers import forget_queue, wait_for, worker_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(broker_url, tmp_path, monkeypatch):
    queue = f"test-exports-{uuid.uuid4().hex[:8]}"
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


def _status(export) -> str:
    return SubjectAccessExport.objects.get(pk=export.pk).status


def test_a_real_worker_makes_the_export_once_the_request_is_committed(worker):
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    person = PersonFactory(family_name="Quarrington")

    export = subject_access_export_request(actor=chair, person=person, redact_staff_names=True)

    assert wait_for(lambda: _status(export) in (ExportStatus.READY, ExportStatus.FAILED))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.failure
    assert worker.poll() is None
    data = export_json(members(stored_zip(export)))
    assert data["person"]["family_name"] == "Quarrington"
    made = [
        row
        for row in LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
        if row.additional_data.get("event") == "export" and "counts" in row.additional_data
    ]
    assert [row.actor for row in made] == [chair]
