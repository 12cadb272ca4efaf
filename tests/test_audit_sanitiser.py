"""One sanitiser for what goes into audit rows: NUL, overlong values, primary keys that do not fit
a bigint, and the request's own headers never turn an audited request into a 500."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from referrals.models import Person
from ubpanel import audit
from ubpanel.models import User

pytestmark = pytest.mark.django_db
AUDIT_URL = reverse("audit_list")
FILTERS = ("user", "object_type", "object_id", "action", "date_from", "date_to", "page", "other")


def viewer_entry():
    return LogEntry.objects.filter(object_repr="Audit trail").latest("pk")


@pytest.mark.parametrize("field", FILTERS)
def test_a_nul_in_an_audit_viewer_filter_is_refused_or_ignored_and_recorded_visibly(
    auditor_client, field
):
    response = auditor_client.get(AUDIT_URL, {field: "smith\x00"})

    assert response.status_code == 200
    form = response.context["form"]
    if field in form.fields:
        assert form.errors.keys() == {field}
    recorded = viewer_entry().additional_data
    if field != "page":
        assert recorded["filters"][field] == "smith\\x00"


def test_a_100000_character_filter_is_recorded_cut_with_a_marker(auditor_client):
    response = auditor_client.get(AUDIT_URL, {"user": "x" * 100_000})

    assert response.status_code == 200
    assert "user" in response.context["form"].errors
    kept = viewer_entry().additional_data["filters"]["user"]
    assert len(kept) == audit.VALUE_LIMIT
    assert kept.endswith(" [cut: 100000 characters in all]")


@pytest.mark.parametrize("pk", [2**63, 2**64, -(2**63) - 1, "1e5", "٣"])
def test_a_refusal_of_an_id_that_does_not_fit_a_bigint_keeps_the_id_as_text(pk):
    audit.record_denied(Person, {"pk": pk})

    entry = LogEntry.objects.latest("pk")
    assert (entry.object_pk, entry.object_id) == (str(pk), None)


@pytest.mark.parametrize("pk", [2**63 - 1, -(2**63), 7])
def test_an_id_that_fits_is_kept_as_a_number_too(pk):
    audit.record_denied(Person, {"pk": pk})

    assert LogEntry.objects.latest("pk").object_id == pk


def test_an_overlong_object_pk_and_representation_are_cut():
    audit.record(audit.Event.VIEW, model=User, object_pk="9" * 1000, object_repr="r\x00" * 2000)

    entry = LogEntry.objects.latest("pk")
    assert (len(entry.object_pk), entry.object_id) == (255, None)
    assert len(entry.object_repr) == audit.REPR_LIMIT
    assert "\x00" not in entry.object_repr


def test_auditlogs_own_entries_are_sanitised_too(db):
    person = Person.objects.create(given_names="Ann", family_name="Other")

    LogEntry.objects.log_create(
        person, action=LogEntry.Action.UPDATE, changes={"notes\x00": ["", "a\x00b"]}, cid="c" * 300
    )

    entry = LogEntry.objects.latest("pk")
    assert entry.changes == {"notes\\x00": ["", "a\\x00b"]}
    assert len(entry.cid) == 255


def test_a_hostile_correlation_id_header_does_not_break_an_audited_page(auditor_client):
    response = auditor_client.get(AUDIT_URL, headers={"X-Correlation-ID": "\x00" + "c" * 5000})

    assert response.status_code == 200
    assert viewer_entry().cid.startswith("\\x00ccc")


def test_a_forwarded_for_that_is_not_an_address_records_the_peer_instead(auditor_client, settings):
    settings.USE_X_FORWARDED_FOR = True

    response = auditor_client.get(AUDIT_URL, headers={"X-Forwarded-For": "not-an-ip\x00, 10.0.0.1"})

    assert response.status_code == 200
    assert viewer_entry().remote_addr == "127.0.0.1"
