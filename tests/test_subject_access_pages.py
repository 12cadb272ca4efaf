"""The subject access export's pages: asking for one from the person's page, following its
progress (htmx polling, or a Refresh link without JavaScript), the requester's list, and the
download - by the requester only, audited naming the person."""

import re

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from rights.exports import build
from rights.models import ExportStatus, SubjectAccessExport
from rights.services.exports import subject_access_export_request
from ubpanel.roles import Role

from .factories import UserFactory
from .subject_access_zip import members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_summary(monkeypatch):
    """The summary PDF is tested in test_subject_access_export; here WeasyPrint's seconds are
    spared."""
    monkeypatch.setattr(build, "summary_pdf", lambda data: b"%PDF-1.4 stub")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def chair():
    return UserFactory(username="chair", first_name="Constance", roles=[Role.PANEL_CHAIR])


@pytest.fixture
def made(chair, person, django_capture_on_commit_callbacks):
    def make(*, by=None, status=None) -> SubjectAccessExport:
        if status is not None:  # not made yet: the task is not run
            return SubjectAccessExport.objects.create(
                person=person,
                requested_by=by or chair,
                status=status,
                progress=40,
                stage="Gathering the panel's papers and decisions",
            )
        with django_capture_on_commit_callbacks(execute=True):
            export = subject_access_export_request(
                actor=by or chair, person=person, redact_staff_names=True
            )
        export.refresh_from_db()
        return export

    return make


def _denied(user, path):
    return [
        row
        for row in LogEntry.objects.filter(actor=user, action=LogEntry.Action.ACCESS)
        if row.additional_data.get("event") == "denied" and row.additional_data.get("path") == path
    ]


def test_the_person_page_offers_the_export_to_the_chair_only(chair, person):
    link = reverse("rights:export_request", args=[person.pk])
    member = UserFactory(roles=[Role.PANEL_MEMBER])

    assert link in signed_in(chair).get(reverse("referrals:person_detail", args=[person.pk])).text
    assert (
        link not in signed_in(member).get(reverse("referrals:person_detail", args=[person.pk])).text
    )


def test_the_request_form_asks_whether_to_replace_staff_names_and_is_audited(
    chair, person, settings
):
    settings.SUBJECT_ACCESS_REDACT_STAFF_NAMES = True

    response = signed_in(chair).get(reverse("rights:export_request", args=[person.pk]))

    assert response.status_code == 200
    assert "Replace the names of staff?" in response.text
    [yes] = re.findall(r'<input[^>]*value="yes"[^>]*>', response.text)
    assert "checked" in yes  # SUBJECT_ACCESS_REDACT_STAFF_NAMES is the default
    row = LogEntry.objects.filter(actor=chair, action=LogEntry.Action.ACCESS).latest("pk")
    assert row.additional_data["event"] == "view"
    assert person.pk in row.additional_data["people"]


@pytest.mark.parametrize(("choice", "redacted"), [("yes", True), ("no", False)])
def test_asking_makes_the_export_and_shows_its_page(
    chair, person, choice, redacted, django_capture_on_commit_callbacks
):
    client = signed_in(chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("rights:export_request", args=[person.pk]), {"redact": choice}
        )

    export = SubjectAccessExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rights:export_detail", args=[export.pk])
    assert export.requested_by == chair
    assert export.redact_staff_names is redacted
    page = client.get(response["Location"])
    assert "Ready to download" in page.text
    assert reverse("rights:export_download", args=[export.pk]) in page.text


def test_a_request_without_a_choice_is_refused_beside_the_field(chair, person):
    response = signed_in(chair).post(reverse("rights:export_request", args=[person.pk]), {})

    assert response.status_code == 400
    assert "Say whether to replace the names of staff" in response.text
    assert not SubjectAccessExport.objects.exists()


def test_the_request_enforces_csrf(chair, person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair)

    response = client.post(reverse("rights:export_request", args=[person.pk]), {"redact": "no"})

    assert response.status_code == 403
    assert not SubjectAccessExport.objects.exists()


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.AUDITOR, Role.FRONTLINE])
def test_other_roles_cannot_open_the_request_form(person, role):
    user = UserFactory(roles=[role])
    path = reverse("rights:export_request", args=[person.pk])

    assert signed_in(user).get(path).status_code == 404
    assert len(_denied(user, path)) == 1


def test_a_running_export_polls_itself_and_offers_a_refresh_link(chair, made):
    export = made(status=ExportStatus.RUNNING)
    path = reverse("rights:export_detail", args=[export.pk])
    client = signed_in(chair)

    page = client.get(path)
    partial = client.get(path, headers={"HX-Request": "true"})

    assert f'hx-get="{path}"' in page.text
    assert 'hx-trigger="every 2s"' in page.text
    assert "40% done" in page.text
    assert 'value="40"' in page.text
    assert f'href="{path}"' in page.text
    assert "Refresh" in page.text
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert "Gathering the panel" in partial.text
    assert str(export.person) not in partial.text


def test_a_finished_export_stops_polling(chair, made):
    export = made()

    text = signed_in(chair).get(reverse("rights:export_detail", args=[export.pk])).text

    assert "hx-get" not in text
    assert export.sha256 in text


def test_the_list_shows_only_ones_own_exports_in_constant_queries(
    chair, made, django_assert_max_num_queries
):
    mine = [made(status=ExportStatus.QUEUED) for _ in range(3)]
    someone_elses = made(by=UserFactory(roles=[Role.PANEL_CHAIR]), status=ExportStatus.QUEUED)
    client = signed_in(chair)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("rights:export_list"))

    for export in mine:
        assert reverse("rights:export_detail", args=[export.pk]) in response.text
    assert reverse("rights:export_detail", args=[someone_elses.pk]) not in response.text


def test_the_requester_downloads_it_as_an_attachment_not_cached_and_audited(chair, made):
    export = made()

    response = signed_in(chair).get(reverse("rights:export_download", args=[export.pk]))

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-SAR-{export.pk:05d}.zip"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "summary.pdf" in members(body)
    row = LogEntry.objects.filter(actor=chair, action=LogEntry.Action.ACCESS).latest("pk")
    assert row.additional_data["event"] == "download"
    assert row.additional_data["people"] == [export.person_id]
    assert row.object_pk == str(export.pk)


@pytest.mark.parametrize("role", [Role.PANEL_CHAIR, Role.DATA_PROTECTION, Role.AUDITOR])
def test_nobody_else_may_see_or_download_it_not_even_another_chair(made, role):
    export = made()
    other = UserFactory(roles=[role])
    client = signed_in(other)

    for name in ("rights:export_detail", "rights:export_download"):
        path = reverse(name, args=[export.pk])
        assert client.get(path).status_code == 404
        assert len(_denied(other, path)) == 1
    assert not LogEntry.objects.filter(actor=other, additional_data__event="download").exists()


def test_an_export_not_ready_is_not_downloaded(chair, made):
    export = made(status=ExportStatus.RUNNING)

    response = signed_in(chair).get(reverse("rights:export_download", args=[export.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("rights:export_detail", args=[export.pk])


def test_someone_who_lost_the_role_can_no_longer_download_their_export(chair, made):
    export = made()
    chair.groups.clear()
    chair = type(chair).objects.get(pk=chair.pk)

    assert (
        signed_in(chair).get(reverse("rights:export_download", args=[export.pk])).status_code == 404
    )
