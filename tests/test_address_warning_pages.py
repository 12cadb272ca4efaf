"""Address warning pages: every URL against every role, the list, adding, changing and ending."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from schedule.models import AddressWarning, AddressWarningStatus
from ubpanel.roles import CASE_ROLES, Role
from ubpanel.tiers import TIER_DEFINITIONS

from .factories import AccessGrantFactory

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]
MANAGERS = {Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER}
GUIDANCE = "Visit in pairs. A large dog is kept loose in the garden."


def role_id(role):
    return role.value if role else "no-role"


@pytest.fixture
def warning():
    return AddressWarning.objects.create(
        address="Flat 2, 9 High East Street\nDorchester",
        postcode="DT1 1HA",
        postcode_normalised="DT11HA",
        tier="medium",
        guidance=GUIDANCE,
    )


def url(name, warning=None):
    return reverse(f"schedule:address_warning_{name}", args=[warning.pk] if warning else [])


# name, takes the warning's id, who may open it (everyone else: the audited 404)
WARNING_URLS = [
    ("list", False, CASE_ROLES),
    ("detail", True, CASE_ROLES),
    ("add", False, MANAGERS),
    ("edit", True, MANAGERS),
    ("end", True, MANAGERS),
]


@pytest.mark.parametrize(
    ("name", "takes_pk", "allowed"), WARNING_URLS, ids=[u[0] for u in WARNING_URLS]
)
@pytest.mark.parametrize("role", ROLES, ids=role_id)
def test_each_page_opens_only_for_those_allowed_and_everyone_else_gets_an_audited_404(
    role_client, warning, name, takes_pk, allowed, role, audit_entries
):
    # A grant that covers the warning's tier: frontline staff see it in search, and still not here.
    AccessGrantFactory(service__name="Housing")
    client = role_client(role)

    response = client.get(url(name, warning if takes_pk else None))

    if role in allowed:
        assert response.status_code == 200
        if name in ("detail", "edit", "end"):
            assert audit_entries(event="view", object_pk=str(warning.pk), actor=client.user)
        if name == "list":
            assert audit_entries(event="list", object_pk=str(warning.pk), actor=client.user)
    else:
        assert response.status_code == 404
        assert GUIDANCE not in response.content.decode()
        [denied] = audit_entries(event="denied", actor=client.user)
        assert denied.content_type == ContentType.objects.get_for_model(AddressWarning)
        assert denied.object_pk == (str(warning.pk) if takes_pk else "")


@pytest.mark.parametrize("name", ["add", "edit", "end"])
@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.FRONTLINE], ids=role_id)
def test_a_post_from_someone_who_may_not_change_warnings_changes_nothing(
    role_client, warning, name, role, audit_entries
):
    client = role_client(role)
    data = {
        "address": "1 Any Road",
        "postcode": "DT1 1AA",
        "tier": "high",
        "guidance": "Changed",
        "reason": "Ended",
    }

    response = client.post(url(name, None if name == "add" else warning), data)

    assert response.status_code == 404
    assert audit_entries(event="denied", actor=client.user)
    warning.refresh_from_db()
    assert (warning.tier, warning.guidance, warning.status) == ("medium", GUIDANCE, "live")
    assert AddressWarning.objects.count() == 1


def test_a_missing_warning_is_the_same_audited_404(chair_client, audit_entries):
    response = chair_client.get(reverse("schedule:address_warning_detail", args=[999999]))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk="999999")


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_live_warnings_first_with_their_tier(panel_client, warning):
    AddressWarning.objects.create(
        address="1 Acre Lane",
        postcode="DT1 1AA",
        postcode_normalised="DT11AA",
        tier="high",
        status=AddressWarningStatus.REMOVED,
    )

    response = panel_client.get(url("list"))

    html = response.content.decode()
    assert html.index("High East Street") < html.index("1 Acre Lane")
    assert "Ended" in html
    assert url("detail", warning) in html
    # Only the chair and the Assurance team are offered adding.
    assert url("add") not in html


def test_the_chair_is_offered_adding_a_warning(chair_client, warning):
    assert url("add") in chair_client.get(url("list")).content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_is_paginated_with_the_same_queries_however_many(
    assurance_client, count, django_assert_max_num_queries
):
    AddressWarning.objects.bulk_create(
        AddressWarning(address=f"{n} Mill Street", tier="low", guidance="Be polite, firm.")
        for n in range(count)
    )
    assurance_client.get(url("list"))  # warm the content-type cache

    with django_assert_max_num_queries(9):
        response = assurance_client.get(url("list"))

    assert response.status_code == 200
    assert response.content.decode().count("Mill Street") == min(count, 25)
    assert ("Page 1 of 2" in response.content.decode()) == (count > 25)


def test_the_second_page_lists_and_audits_the_rest(assurance_client, audit_entries):
    AddressWarning.objects.bulk_create(
        AddressWarning(address=f"{n:02} Mill Street", tier="low", guidance="Firm.")
        for n in range(27)
    )

    response = assurance_client.get(url("list"), {"page": 2})

    assert response.content.decode().count("Mill Street") == 2
    assert len(audit_entries(event="list")) == 2


# --- Adding ------------------------------------------------------------------------------------


def test_the_add_form_explains_each_tier_in_the_protocols_words(chair_client):
    html = chair_client.get(url("add")).content.decode()

    for definition in TIER_DEFINITIONS.values():
        assert definition in html


def test_the_chair_adds_a_warning_with_the_postcode_normalised(chair_client, audit_entries):
    response = chair_client.post(
        url("add"),
        {
            "address": "Flat 2, 9 High East Street\nDorchester",
            "postcode": "dt11ha",
            "tier": "high",
            "guidance": GUIDANCE,
        },
    )

    warning = AddressWarning.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", warning)
    assert (warning.postcode, warning.postcode_normalised, warning.tier) == (
        "DT1 1HA",
        "DT11HA",
        "high",
    )
    assert warning.created_by == chair_client.user
    [created] = LogEntry.objects.get_for_object(warning).filter(action=LogEntry.Action.CREATE)
    assert created.actor == chair_client.user


def test_bad_input_is_shown_beside_each_field_and_what_was_typed_is_kept(assurance_client):
    response = assurance_client.post(
        url("add"),
        {
            "address": "Flat 2, 9 High East Street",
            "postcode": "DT1 XYZ",
            "tier": "medium",
            "guidance": "",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_guidance-error"' in html
    assert "Say what staff should do at this address" in html
    assert "Flat 2, 9 High East Street" in html
    assert 'value="medium" checked' in html
    assert 'value="DT1 XYZ"' in html
    assert not AddressWarning.objects.exists()


def test_a_postcode_that_is_not_one_is_refused_beside_the_field(assurance_client):
    response = assurance_client.post(
        url("add"),
        {
            "address": "9 High East Street",
            "postcode": "DT1 XYZ",
            "tier": "low",
            "guidance": "Firm.",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_postcode-error"' in html
    assert "Enter a real postcode" in html
    assert "Firm." in html
    assert not AddressWarning.objects.exists()


# --- The warning's page, changing and ending -----------------------------------------------------


def test_the_page_shows_the_tier_in_the_protocols_words_and_offers_changes(chair_client, warning):
    html = chair_client.get(url("detail", warning)).content.decode()

    assert GUIDANCE in html
    assert TIER_DEFINITIONS["medium"] in html
    assert url("edit", warning) in html
    assert url("end", warning) in html


def test_other_case_roles_read_the_warning_but_are_not_offered_changes(legal_client, warning):
    html = legal_client.get(url("detail", warning)).content.decode()

    assert GUIDANCE in html
    assert url("edit", warning) not in html
    assert url("end", warning) not in html


def test_assurance_changes_the_tier_and_guidance(assurance_client, warning):
    form = assurance_client.get(url("edit", warning)).content.decode()
    assert 'value="medium" checked' in form
    assert GUIDANCE in form

    response = assurance_client.post(
        url("edit", warning), {"tier": "high", "guidance": "Police escort only."}
    )

    assert response.status_code == 302
    warning.refresh_from_db()
    assert (warning.tier, warning.guidance) == ("high", "Police escort only.")
    [change] = LogEntry.objects.get_for_object(warning).filter(action=LogEntry.Action.UPDATE)
    assert change.actor == assurance_client.user
    assert change.changes_dict["tier"] == ["medium", "high"]


def test_a_change_without_guidance_keeps_the_chosen_tier_and_changes_nothing(
    assurance_client, warning
):
    response = assurance_client.post(url("edit", warning), {"tier": "low", "guidance": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_guidance-error"' in html
    assert 'value="low" checked' in html
    warning.refresh_from_db()
    assert (warning.tier, warning.guidance) == ("medium", GUIDANCE)


def test_the_chair_ends_a_warning_with_a_reason_shown_on_its_page(chair_client, warning):
    confirm = chair_client.get(url("end", warning)).content.decode()
    assert "Staff searching this address or postcode will no longer be warned" in confirm
    warning.refresh_from_db()
    assert warning.status == "live"  # opening the page ends nothing

    response = chair_client.post(url("end", warning), {"reason": "The tenant moved away."})

    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == AddressWarningStatus.REMOVED
    page = chair_client.get(url("detail", warning)).content.decode()
    ending = page.split('data-testid="ending"')[1].split("</div>")[0]
    assert f"by {escape(str(chair_client.user))}: The tenant moved away." in ending
    assert url("edit", warning) not in page


def test_ending_without_a_reason_is_refused_beside_the_field(chair_client, warning):
    response = chair_client.post(url("end", warning), {"reason": ""})

    assert response.status_code == 400
    assert 'id="id_reason-error"' in response.content.decode()
    warning.refresh_from_db()
    assert warning.status == "live"


def test_an_ended_warning_cannot_be_changed_or_ended_again(chair_client, warning):
    warning.status = AddressWarningStatus.REMOVED
    warning.save()

    edit = chair_client.post(url("edit", warning), {"tier": "high", "guidance": "x"}, follow=True)
    end = chair_client.post(url("end", warning), {"reason": "Again"}, follow=True)

    assert "has ended: it cannot be changed" in edit.content.decode()
    assert "has ended: it cannot be ended" in end.content.decode()
    warning.refresh_from_db()
    assert (warning.tier, warning.guidance) == ("medium", GUIDANCE)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("add", {"address": "1 Any Road", "tier": "low", "guidance": "Firm."}),
        ("edit", {"tier": "high", "guidance": "Changed"}),
        ("end", {"reason": "Moved away."}),
    ],
)
def test_every_change_needs_csrf(make_user, warning, name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PANEL_CHAIR))

    response = client.post(url(name, None if name == "add" else warning), data)

    assert response.status_code == 403
    warning.refresh_from_db()
    assert (warning.tier, warning.status) == ("medium", "live")
    assert AddressWarning.objects.count() == 1


def test_the_navigation_offers_address_warnings_to_the_case_roles_only(client, make_user):
    client.force_login(make_user(Role.PANEL_MEMBER))
    assert url("list") in client.get(reverse("home")).content.decode()

    client.force_login(make_user(Role.FRONTLINE))
    assert url("list") not in client.get(reverse("home")).content.decode()
