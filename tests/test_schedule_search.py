"""Search before contact: what it finds, who it shows it to, what it never shows, and the audit."""

import re

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import PersonAddress, PersonAlias, PersonEmail, PersonPhone
from schedule.models import AddressWarning, ContactCheck
from schedule.search import search_entries
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ActiveEntryFactory, PersonFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = reverse("schedule:index")
NARRATIVE = "Threatened a housing officer with a knife at the front door."
REASON = "Violence towards staff."
HEALTH = "Has told us about a long-term condition."


def _entry(given, family, tier="medium", **kwargs):
    person = PersonFactory(given_names=given, family_name=family)
    return ActiveEntryFactory(person=person, tier=tier, **kwargs)


@pytest.fixture
def frontline(make_user):
    """A frontline officer whose service may see every tier."""
    user = make_user(Role.FRONTLINE, username="frontline")
    AccessGrantFactory(service=user.service)
    return user


@pytest.fixture
def frontline_client(client, frontline):
    client.force_login(frontline)
    client.user = frontline
    return client


@pytest.fixture
def visitor(make_user):
    """A visiting service: medium and high risk only (the protocol's default for visitors)."""
    service = ServiceFactory(name="Environmental Health")
    user = make_user(Role.FRONTLINE, username="visitor", service=service)
    AccessGrantFactory(service=service, low=False, medium=True, high=True)
    return user


@pytest.fixture
def zoe():
    entry = _entry("Zoë", "Whitlock-Jones", tier="high")
    person = entry.person
    PersonAlias.objects.create(person=person, name="Zed Jones", search_name="zed jones")
    PersonAddress.objects.create(
        person=person,
        address="14 Acland Road\nDorchester",
        postcode="DT1 1AA",
        postcode_normalised="DT11AA",
    )
    PersonEmail.objects.create(
        person=person, email="Zoe.WJ@example.com", email_normalised="zoe.wj@example.com"
    )
    PersonPhone.objects.create(
        person=person, number="07700 900123", number_normalised="07700900123"
    )
    return entry


def names(results):
    return [str(r.entry.person) for r in results if r.entry]


@pytest.mark.parametrize(
    "query",
    [
        "Zoe Whitlock-Jones",  # no accent
        "Zoë Whitlock Jones",  # no hyphen
        "zoe whitlok jones",  # a typo
        "Whitlock-Jones Zoe",  # family name first
        "Zed Jones",  # an alias
        "14 acland road",  # address text
        "dt11aa",  # postcode, however written
        "DT1 1AA",
        "zoe.wj@EXAMPLE.com",  # email
        "+44 7700 900123",  # phone
        "07700900123",
    ],
)
def test_it_finds_the_person_every_way_they_may_be_described(frontline, zoe, query):
    _entry("Daniel", "West")

    results = search_entries(frontline, query)

    assert names(results)[:1] == ["Zoë Whitlock-Jones"]


def test_it_finds_an_address_warning_by_postcode_and_address(frontline):
    warning = AddressWarning.objects.create(
        address="Flat 2, 9 High East Street\nDorchester",
        postcode="DT1 1HA",
        postcode_normalised="DT11HA",
        tier="medium",
        guidance="Visit in pairs.",
    )

    for query in ("dt1 1ha", "high east street"):
        results = search_entries(frontline, query)
        assert [r.address_warning for r in results] == [warning]


def test_a_removed_entry_is_not_found(frontline):
    entry = _entry("Daniel", "West", status="removed")

    assert search_entries(frontline, "Daniel West") == []
    assert entry.pk


def test_an_unrelated_name_finds_nobody(frontline, zoe):
    assert search_entries(frontline, "Mohammed Okafor") == []


def _results_region(response) -> str:
    html = response.content.decode()
    match = re.search(r'<div id="search-results"[^>]*>(.*?)</div>\s*</main>', html, re.S)
    assert match, html
    return match.group(1)


def test_a_visitor_cannot_find_a_low_tier_entry_and_it_reads_as_no_match(client, visitor):
    _entry("Gary", "Lowe", tier="low")
    client.force_login(visitor)

    hidden = client.post(URL, {"q": "Gary Lowe"})
    stranger = client.post(URL, {"q": "Nobody Atall"})
    hidden_partial = client.post(URL, {"q": "Gary Lowe"}, headers={"HX-Request": "true"})
    stranger_partial = client.post(URL, {"q": "Nobody Atall"}, headers={"HX-Request": "true"})

    assert "No one on the schedule matches your search" in _results_region(hidden)
    assert _results_region(hidden) == _results_region(stranger)
    assert hidden_partial.content == stranger_partial.content
    assert "Gary" not in hidden.content.decode().replace('value="Gary Lowe"', "")


def test_a_visitor_finds_a_high_tier_entry(client, visitor):
    _entry("Gary", "Highe", tier="high")
    client.force_login(visitor)

    response = client.post(URL, {"q": "Gary Highe"})

    assert "Gary Highe" in _results_region(response)


def test_frontline_results_show_the_guidance_but_never_the_narrative_or_health(
    frontline_client, zoe
):
    zoe.contact_restrictions = "No home visits."
    zoe.spoc_contact_details = "01305 000000"
    zoe.save()

    response = frontline_client.post(URL, {"q": "Zoe Whitlock Jones"})

    html = response.content.decode()
    assert response.status_code == 200
    for shown in (
        "High – violence",
        "Active",
        "Do not visit alone.",
        "In writing to the SPOC only.",
        "No home visits.",
        "Sam Spoc",
        "01305 000000",
        "Review due",
        "Checked before visit",
    ):
        assert shown in html
    for never in (NARRATIVE, REASON, HEALTH):
        assert never not in html


def test_case_roles_search_results_leave_out_the_narrative_too(role_client, zoe):
    client = role_client(Role.PANEL_MEMBER)

    html = client.post(URL, {"q": "Zoe Whitlock Jones"}).content.decode()

    assert "Zoë Whitlock-Jones" in html
    assert NARRATIVE not in html
    assert HEALTH not in html


def test_get_shows_an_empty_form_and_the_query_never_reaches_the_url(frontline_client, zoe):
    response = frontline_client.get(URL, {"q": "Zoe Whitlock Jones"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in html
    assert "Zoë Whitlock-Jones" not in html
    assert 'action="/schedule/"' in html or f'action="{URL}"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_empty_search_says_what_to_enter(frontline_client):
    response = frontline_client.post(URL, {"q": "  "})

    assert "Enter a name, address, postcode, email or phone number" in response.content.decode()


def test_search_needs_a_csrf_token(frontline, zoe):
    client = Client(enforce_csrf_checks=True)
    client.force_login(frontline)

    assert client.post(URL, {"q": "Zoe"}).status_code == 403
    assert client.post(URL, {"q": "Zoe"}, headers={"HX-Request": "true"}).status_code == 403


def test_people_without_a_schedule_role_are_refused(role_client):
    client = role_client(Role.AUDITOR)

    assert client.post(URL, {"q": "Zoe"}).status_code == 403


def test_every_search_is_audited_with_the_query_and_what_it_showed(
    frontline_client, zoe, audit_entries
):
    other = _entry("Zoey", "Whitlock")

    frontline_client.post(URL, {"q": "Zoe Whitlock"})

    searches = audit_entries(event="search", object_repr="Schedule search")
    assert len(searches) == 1
    data = searches[0].additional_data
    assert data["query"] == "Zoe Whitlock"
    assert set(data["entries_shown"]) == {zoe.pk, other.pk}
    assert data["method"] == "POST"
    assert searches[0].actor == frontline_client.user
    shown = audit_entries(event="search", content_type__model="entry")
    assert {e.object_id for e in shown} >= {zoe.pk, other.pk}


def test_a_search_that_found_nothing_is_audited_too(frontline_client, audit_entries):
    frontline_client.post(URL, {"q": "Nobody Atall"}, headers={"HX-Request": "true"})

    [search] = audit_entries(event="search")
    assert search.additional_data["entries_shown"] == []


def test_htmx_gets_only_the_results(frontline_client, zoe):
    response = frontline_client.post(URL, {"q": "Whitlock-Jones"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "Zoë Whitlock-Jones" in html
    assert "<html" not in html
    assert "<h1" not in html


def test_htmx_clearing_the_box_clears_the_results_without_an_error(frontline_client):
    response = frontline_client.post(URL, {"q": ""}, headers={"HX-Request": "true"})

    assert response.content.decode().strip() == ""


def test_the_page_has_live_search_and_works_without_javascript(frontline_client, zoe):
    page = frontline_client.get(URL).content.decode()
    assert 'hx-post="/schedule/"' in page
    assert "input changed delay:300ms" in page

    response = frontline_client.post(URL, {"q": "zoe whitlok jones"})
    assert "Zoë Whitlock-Jones" in _results_region(response)


def _add_smiths(count, start=0):
    for i in range(start, start + count):
        entry = _entry(f"Alex{i}", "Smith")
        PersonAddress.objects.create(
            person=entry.person,
            address="1 Smith Street",
            postcode="DT1 1AA",
            postcode_normalised="DT11AA",
        )


def _queries_for(client, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"q": query})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["Alex Smith", "dt1 1aa", "1 smith street"])
def test_a_search_takes_the_same_number_of_queries_with_5_or_100_entries(frontline_client, query):
    _add_smiths(5)
    frontline_client.post(URL, {"q": "warm up"})  # content types cached
    with_5 = _queries_for(frontline_client, query)
    _add_smiths(95, start=5)

    with_100 = _queries_for(frontline_client, query)

    assert with_5 == with_100
    assert with_100 <= 20


def test_checked_before_visit_is_recorded_and_audited(frontline_client, zoe, audit_entries):
    response = frontline_client.post(
        reverse("schedule:contact_check", args=[zoe.pk]), {"purpose": "Home visit"}
    )

    assert response.status_code == 302
    check = ContactCheck.objects.get()
    assert (check.entry, check.user, check.purpose) == (zoe, frontline_client.user, "Home visit")
    created = LogEntry.objects.filter(
        content_type__model="contactcheck", action=LogEntry.Action.CREATE
    )
    assert created.get().actor == frontline_client.user


def test_checked_before_visit_with_htmx_returns_the_confirmation(frontline_client, zoe):
    response = frontline_client.post(
        reverse("schedule:contact_check", args=[zoe.pk]), headers={"HX-Request": "true"}
    )

    assert 'data-testid="contact-checked"' in response.content.decode()


def test_checked_before_visit_is_404_and_audited_for_an_entry_they_may_not_see(
    client, visitor, audit_entries
):
    low = _entry("Gary", "Lowe", tier="low")
    client.force_login(visitor)

    response = client.post(reverse("schedule:contact_check", args=[low.pk]))

    assert response.status_code == 404
    assert not ContactCheck.objects.exists()
    [denied] = audit_entries(event="denied")
    assert denied.object_pk == str(low.pk)
    assert denied.actor == visitor


def test_checked_before_visit_needs_post_and_csrf(frontline, zoe):
    url = reverse("schedule:contact_check", args=[zoe.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(frontline)

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not ContactCheck.objects.exists()


# --- Names as they are typed (htmx posts after every pause) ----------------------------------


@pytest.mark.parametrize(
    "query", ["zoe", "Zoë", "whitl", "whitlock", "jones", "zoe whit", "whit zo"]
)
def test_a_name_only_begun_finds_the_person(frontline, zoe, query):
    _entry("Daniel", "West")

    assert names(search_entries(frontline, query)) == ["Zoë Whitlock-Jones"]


def test_an_alias_only_begun_finds_the_person(frontline, zoe):
    [result] = search_entries(frontline, "zed")

    assert result.entry == zoe
    assert result.reasons == ["Part of alias ‘Zed Jones’ matches"]


@pytest.mark.parametrize("query", ["z", "zo", "  "])
def test_fewer_than_three_letters_find_nobody(frontline, zoe, query):
    assert search_entries(frontline, query) == []


def test_the_name_typed_in_full_ranks_above_longer_names_it_begins(frontline):
    _entry("Daniella", "Westwood")
    _entry("Daniel", "West")
    _entry("Dan", "Westerby")

    results = search_entries(frontline, "daniel west")

    assert names(results) == ["Daniel West", "Daniella Westwood"]
    assert results[0].reasons == ["Same name"]
    assert results[1].reasons == ["Part of the name matches"]


def test_a_first_name_alone_lists_everyone_with_it_alphabetically(frontline):
    for family in ("Thornley", "Ashby", "Marston"):
        _entry("James", family)
    _entry("Jamie", "Ashdown")
    _entry("Amelia", "Jameson")

    assert names(search_entries(frontline, "james")) == [
        "James Ashby",
        "James Marston",
        "James Thornley",
        "Amelia Jameson",
    ]
    assert len(search_entries(frontline, "jam")) == 5


def test_a_common_first_name_shows_at_most_ten(frontline):
    for i in range(12):
        _entry("James", f"Family{i:02d}")

    results = search_entries(frontline, "james")

    assert names(results) == [f"James Family{i:02d}" for i in range(10)]


# --- Hidden entries read as no match, however the search is typed -----------------------------


@pytest.mark.parametrize(
    "query",
    ["Gary Lowe", "gar", "lowe", "Garry Low", "dt9 9zz", "07700 900456", "gary@example.com"],
)
def test_a_hidden_entry_answers_exactly_like_no_match(client, visitor, query):
    gary = _entry("Gary", "Lowe", tier="low")
    PersonAddress.objects.create(
        person=gary.person, address="9 Low Road", postcode="DT9 9ZZ", postcode_normalised="DT99ZZ"
    )
    PersonPhone.objects.create(
        person=gary.person, number="07700 900456", number_normalised="07700900456"
    )
    PersonEmail.objects.create(
        person=gary.person, email="gary@example.com", email_normalised="gary@example.com"
    )
    client.force_login(visitor)

    assert search_entries(visitor, query) == []
    hidden = client.post(URL, {"q": query}, headers={"HX-Request": "true"})
    nobody = client.post(URL, {"q": "Nobody Atall"}, headers={"HX-Request": "true"})
    assert hidden.content == nobody.content


def test_a_removed_entry_is_not_found_by_any_of_its_details(frontline, zoe):
    zoe.status = "removed"
    zoe.save()

    for query in ("zoe", "Zoe Whitlock-Jones", "Zed Jones", "dt11aa", "07700900123"):
        assert search_entries(frontline, query) == []


# --- A fixed number of queries ----------------------------------------------------------------


@pytest.mark.parametrize("query", ["Alex Smith", "ale", "dt1 1aa", "07700 900123", "nobody here"])
def test_a_search_takes_a_fixed_number_of_queries(
    frontline_client, django_assert_num_queries, query
):
    _add_smiths(3)
    frontline_client.post(URL, {"q": "warm up"})  # content types cached
    expected = _queries_for(frontline_client, query)
    _add_smiths(60, start=3)

    with django_assert_num_queries(expected):
        frontline_client.post(URL, {"q": query})
