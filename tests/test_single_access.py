"""Need-to-know access to one entry or one address (issue 18, point 1): requested with a rationale
and an end date, decided by the chair, a django-guardian object permission on the direct-FK
tables, ended on its date, revocable; the entry page and the search honour it and the audit names
the grant used."""

from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schedule.models import (
    AddressWarning,
    AddressWarningGroupObjectPermission,
    EntryUserObjectPermission,
    SingleAccessGrant,
)
from schedule.search import search_entries
from schedule.selectors import visible_address_warnings, visible_entries
from schedule.services import (
    AccessAlreadyRequested,
    single_access_approve,
    single_access_decline,
    single_access_expire,
    single_access_request,
    single_access_revoke,
)
from ubpanel.models import Notification
from ubpanel.roles import Role, user_roles

from .factories import ActiveEntryFactory, LetterFactory, PersonFactory, ServiceFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def chair(make_user):
    return make_user(Role.PANEL_CHAIR, username="chair")


@pytest.fixture
def officer(make_user):
    return make_user(Role.FRONTLINE, username="visitor", service=ServiceFactory(name="Repairs"))


@pytest.fixture
def entry():
    person = PersonFactory(given_names="Morwenna", family_name="Tregarthen")
    return ActiveEntryFactory(person=person, tier="high")


@pytest.fixture
def warning():
    return AddressWarning.objects.create(
        address="14 Mill Lane\nBridport",
        postcode="DT6 3AB",
        postcode_normalised="DT63AB",
        tier="high",
        guidance="Visit in pairs; do not go inside.",
    )


def _ask(actor, grantee, kind="entry", subject="Morwenna Tregarthen", **kwargs):
    return single_access_request(
        actor=actor,
        service_or_user=grantee,
        kind=kind,
        subject=subject,
        rationale=kwargs.pop("rationale", "Gas safety visit on Tuesday."),
        ends_on=kwargs.pop("ends_on", TODAY + timedelta(days=7)),
        **kwargs,
    )


def _fresh(user):
    """The user as a new request would load it: nothing cached."""
    return type(user).objects.get(pk=user.pk)


# --- Request ------------------------------------------------------------------------------------


def test_staff_ask_for_one_person_and_the_chair_is_told_by_link_only(officer, chair):
    grant = _ask(officer, officer)

    assert grant.status == "requested"
    assert grant.user == officer
    assert grant.entry is None
    told = Notification.objects.get(kind="single-access-requested")
    assert told.user == chair
    assert "Morwenna" not in told.subject + told.body
    assert reverse("schedule:single_access_decide", args=[grant.pk]) in told.link


def test_a_request_is_not_access(officer, entry):
    _ask(officer, officer)

    assert not visible_entries(_fresh(officer)).filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("subject", {"subject": ""}, "Enter the person&#x27;s name or the address"),
        ("rationale", {"rationale": ""}, "Give the risk-based rationale"),
        (
            "ends_on",
            {"ends_on_day": "1", "ends_on_month": "1", "ends_on_year": "2020"},
            "today or in the future",
        ),
        ("ends_on", {"ends_on_year": str(TODAY.year + 3)}, "at most 365 days"),
        ("postcode", {"postcode": "NOT A CODE"}, "Enter a real postcode"),
    ],
)
def test_a_bad_request_is_named_beside_its_field_and_keeps_what_was_typed(
    client, officer, field, data, message
):
    client.force_login(officer)
    end = TODAY + timedelta(days=10)
    form = {
        "grantee": "user",
        "kind": "address",
        "subject": "14 Mill Lane, Bridport",
        "postcode": "DT6 3AB",
        "rationale": "Repairs visit to fix a boiler.",
        "ends_on_day": str(end.day),
        "ends_on_month": str(end.month),
        "ends_on_year": str(end.year),
    } | data

    response = client.post(reverse("schedule:single_access_request"), form)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert message in html
    assert "Repairs visit to fix a boiler." in html or field == "rationale"
    assert not SingleAccessGrant.objects.exists()


def test_the_same_request_twice_is_refused(officer):
    _ask(officer, officer)

    with pytest.raises(AccessAlreadyRequested, match="waiting for the panel"):
        _ask(officer, officer)


# --- Decision -------------------------------------------------------------------------------------


def test_the_chair_matches_the_request_to_the_entry_and_approves_it(
    client, officer, chair, entry, audit_entries
):
    grant = _ask(officer, officer)
    client.force_login(chair)

    page = client.get(reverse("schedule:single_access_decide", args=[grant.pk]))
    assert entry.reference in page.content.decode()
    # The chair's view of the request and of the records offered is audited.
    viewed = audit_entries(event="view", object_pk=str(grant.pk))
    assert viewed[-1].additional_data["view"] == "single-access-decide"

    end = TODAY + timedelta(days=5)
    response = client.post(
        reverse("schedule:single_access_decide", args=[grant.pk]),
        {
            "action": "approve",
            "approve-record": str(entry.pk),
            "approve-ends_on_day": str(end.day),
            "approve-ends_on_month": str(end.month),
            "approve-ends_on_year": str(end.year),
        },
    )

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "approved"
    assert grant.entry == entry
    assert grant.ends_on == end
    permission = EntryUserObjectPermission.objects.get(user=officer, content_object=entry)
    assert permission.grant == grant
    assert permission.permission.codename == "view_entry"
    # Who gave it, and when, is in the trail (auditlog's CREATE of the permission row).
    assert LogEntry.objects.get_for_object(permission).filter(action=0).exists()
    assert visible_entries(_fresh(officer)).filter(pk=entry.pk).exists()


def test_only_the_chair_decides_and_a_refusal_is_audited(client, officer, make_user, audit_entries):
    grant = _ask(officer, officer)
    client.force_login(make_user(Role.PANEL_MEMBER))

    response = client.get(reverse("schedule:single_access_decide", args=[grant.pk]))

    assert response.status_code == 404
    assert audit_entries(event="denied")


def test_a_declined_request_opens_nothing(officer, chair, entry):
    grant = _ask(officer, officer)

    single_access_decline(actor=chair, grant=grant, reason="No visit is booked.")

    grant.refresh_from_db()
    assert grant.status == "declined"
    assert grant.closed_reason == "No visit is booked."
    assert not EntryUserObjectPermission.objects.exists()


def test_the_chair_cannot_approve_a_second_grant_for_the_same_record(officer, chair, entry):
    first = _ask(officer, officer)
    single_access_approve(actor=chair, grant=first, record=entry, ends_on=TODAY + timedelta(days=3))
    second = _ask(officer, officer, subject="M Tregarthen")

    with pytest.raises(ValidationError, match="already has access"):
        single_access_approve(
            actor=chair, grant=second, record=entry, ends_on=TODAY + timedelta(days=9)
        )


# --- What it opens, for how long ----------------------------------------------------------------


def test_an_address_granted_to_a_service_is_seen_by_its_staff_only(make_user, chair, warning):
    repairs = ServiceFactory(name="Repairs")
    one = make_user(Role.FRONTLINE, service=repairs)
    other = make_user(Role.FRONTLINE, service=repairs)
    elsewhere = make_user(Role.FRONTLINE, service=ServiceFactory(name="Libraries"))
    grant = _ask(one, repairs, kind="address", subject="14 Mill Lane", postcode="DT6 3AB")

    single_access_approve(actor=chair, grant=grant, record=warning, ends_on=TODAY)

    row = AddressWarningGroupObjectPermission.objects.get()
    assert row.group == repairs.__class__.objects.get(pk=repairs.pk).group
    assert row.grant == grant
    for user, sees in ((one, True), (other, True), (elsewhere, False)):
        assert visible_address_warnings(_fresh(user)).filter(pk=warning.pk).exists() is sees
    # Who leaves the service leaves its access: it follows User.service, not group membership.
    other.service = elsewhere.service
    other.save()
    assert not visible_address_warnings(_fresh(other)).filter(pk=warning.pk).exists()


def test_the_access_stops_after_its_end_date_and_the_nightly_job_ends_it(officer, chair, entry):
    grant = _ask(officer, officer)
    single_access_approve(actor=chair, grant=grant, record=entry, ends_on=TODAY + timedelta(days=2))

    with time_machine.travel(TODAY + timedelta(days=2, hours=12)):
        assert visible_entries(_fresh(officer)).filter(pk=entry.pk).exists()
    with time_machine.travel(TODAY + timedelta(days=3, hours=1)):
        # Stopped at midnight, before the job runs.
        assert not visible_entries(_fresh(officer)).filter(pk=entry.pk).exists()
        ended = single_access_expire()

    assert [g.pk for g in ended] == [grant.pk]
    grant.refresh_from_db()
    assert grant.status == "expired"
    assert not EntryUserObjectPermission.objects.exists()
    assert LogEntry.objects.filter(
        content_type__model="entryuserobjectpermission", action=2
    ).exists()  # the deletion is audited


def test_revoking_stops_it_at_once(client, officer, chair, entry, audit_entries):
    grant = _ask(officer, officer)
    single_access_approve(actor=chair, grant=grant, record=entry, ends_on=TODAY + timedelta(days=9))
    client.force_login(officer)
    refused = client.post(
        reverse("schedule:single_access_revoke", args=[grant.pk]), {"reason": "Mine"}
    )
    assert refused.status_code == 404
    assert audit_entries(event="denied")

    single_access_revoke(actor=chair, grant=grant, reason="The visit was cancelled.")

    assert not visible_entries(_fresh(officer)).filter(pk=entry.pk).exists()
    assert not EntryUserObjectPermission.objects.exists()


def test_an_entry_grant_shows_the_address_warnings_on_the_entry(officer, chair, entry, warning):
    warning.entry = entry
    warning.save()
    grant = _ask(officer, officer)
    single_access_approve(actor=chair, grant=grant, record=entry, ends_on=TODAY)

    assert visible_address_warnings(_fresh(officer)).filter(pk=warning.pk).exists()


def test_a_removed_entry_stays_hidden_whatever_the_grant(officer, chair, entry):
    grant = _ask(officer, officer)
    single_access_approve(actor=chair, grant=grant, record=entry, ends_on=TODAY)
    entry.status = "removed"
    entry.save()

    assert not visible_entries(_fresh(officer)).filter(pk=entry.pk).exists()


# --- The entry page, the search and PDFs honour it; the audit names the grant -------------------


def test_the_entry_page_opens_through_the_grant_and_the_audit_names_it(
    client, officer, chair, entry, audit_entries
):
    client.force_login(officer)
    assert client.get(reverse("schedule:entry_detail", args=[entry.pk])).status_code == 404
    grant = _ask(officer, officer)
    single_access_approve(actor=chair, grant=grant, record=entry, ends_on=TODAY)

    response = client.get(reverse("schedule:entry_detail", args=[entry.pk]))

    assert response.status_code == 200
    # Frontline sees what to do, not the panel's reasons.
    assert response.context["full"] is False
    viewed = audit_entries(event="view", object_pk=str(entry.pk))[-1]
    assert viewed.additional_data["access_grants"] == [grant.pk]


def test_the_search_finds_the_granted_address_and_the_audit_names_the_grant(
    officer, chair, warning, client, audit_entries
):
    client.force_login(officer)
    assert search_entries(_fresh(officer), "DT6 3AB") == []
    grant = _ask(officer, officer, kind="address", subject="14 Mill Lane", postcode="DT6 3AB")
    single_access_approve(actor=chair, grant=grant, record=warning, ends_on=TODAY)

    response = client.post(reverse("schedule:index"), {"q": "DT6 3AB"})

    assert "Visit in pairs" in response.content.decode()
    searched = audit_entries(event="search")
    assert any(e.additional_data.get("access_grants") == [grant.pk] for e in searched)


def test_a_search_through_tiers_names_no_grant(client, make_user, audit_entries, entry):
    client.force_login(make_user(Role.PANEL_CHAIR))
    client.post(reverse("schedule:index"), {"q": "Morwenna Tregarthen"})

    assert all("access_grants" not in e.additional_data for e in audit_entries(event="search"))


def test_a_grant_to_the_entry_opens_none_of_its_letters(
    client, officer, chair, entry, audit_entries
):
    """The letters (and their PDFs) are the Operations Manager's and the case roles': a visit
    needs what to do, not the correspondence."""
    letter = LetterFactory(person=entry.person, entry=entry)
    grant = _ask(officer, officer)
    single_access_approve(actor=chair, grant=grant, record=entry, ends_on=TODAY)
    client.force_login(officer)

    response = client.get(reverse("correspondence:letter_pdf", args=[letter.pk, "standard"]))

    assert response.status_code in (403, 404)
    assert audit_entries(event="denied")


# --- One query however many exceptions ----------------------------------------------------------


def _queries_to_list(user) -> int:
    user = _fresh(user)
    user_roles(user)
    visible_entries(user).exists()  # the tiers, read once per request
    with CaptureQueriesContext(connection) as queries:
        list(visible_entries(user))
        list(visible_address_warnings(user))
    return len(queries)


def test_visible_entries_is_one_query_with_0_and_1000_exceptions(officer):
    assert _queries_to_list(officer) == 2  # entries, address warnings

    # 1,000 exceptions: 20 officers (this one among them) each granted 50 entries.
    entries = ActiveEntryFactory.create_batch(50, tier="low")
    holders = [officer] + [
        type(officer).objects.create(username=f"colleague{n}", service=officer.service)
        for n in range(19)
    ]
    view = Permission.objects.get(codename="view_entry")
    pairs = [(holder, entry) for holder in holders for entry in entries]
    grants = SingleAccessGrant.objects.bulk_create(
        SingleAccessGrant(
            user=holder,
            kind="entry",
            subject="A person",
            rationale="Visits",
            ends_on=TODAY,
            status="approved",
            entry=entry,
        )
        for holder, entry in pairs
    )
    EntryUserObjectPermission.objects.bulk_create(
        EntryUserObjectPermission(user=holder, content_object=entry, permission=view, grant=grant)
        for (holder, entry), grant in zip(pairs, grants, strict=True)
    )
    assert EntryUserObjectPermission.objects.count() == 1000

    assert _queries_to_list(officer) == 2
    assert visible_entries(_fresh(officer)).count() == 50
