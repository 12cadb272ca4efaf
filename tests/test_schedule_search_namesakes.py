"""Namesakes told apart (issue 16): a name typed with a date or year of birth, or a postcode or
postcode district, puts the people they fit first, never shows anyone the user may not see, and
costs the same number of queries however many namesakes there are."""

import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import PersonAddress
from schedule.search import search_entries
from schedule.search_query import Query
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ActiveEntryFactory, PersonFactory, ServiceFactory

URL = reverse("schedule:index")


# --- Reading what was typed (no database) -----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name", "born", "year_only", "postcode", "district"),
    [
        ("john smith 1975", "john smith", (date(1975, 1, 1), date(1976, 1, 1)), True, "", ""),
        (
            "John Smith 12/03/1975",
            "John Smith",
            (date(1975, 3, 12), date(1975, 3, 13)),
            False,
            "",
            "",
        ),
        (
            "john smith 1975-03-12",
            "john smith",
            (date(1975, 3, 12), date(1975, 3, 13)),
            False,
            "",
            "",
        ),
        ("john smith DT1 1AA", "john smith", (None, None), False, "DT11AA", ""),
        ("john smith dt11aa", "john smith", (None, None), False, "DT11AA", ""),
        ("john smith dt1", "john smith", (None, None), False, "", "DT1"),
        (
            "1975 Smith John SW1A",
            "Smith John",
            (date(1975, 1, 1), date(1976, 1, 1)),
            True,
            "",
            "SW1A",
        ),
        (
            "o'brien 2/3/1980 dt4 7aa",
            "o'brien",
            (date(1980, 3, 2), date(1980, 3, 3)),
            False,
            "DT47AA",
            "",
        ),
    ],
)
def test_a_name_is_read_with_its_date_of_birth_and_postcode(
    typed, name, born, year_only, postcode, district
):
    parsed = Query.parse(typed)

    assert parsed.name == name
    assert (parsed.born_from, parsed.born_before) == born
    assert parsed.born_year_only is year_only
    assert (parsed.near_postcode, parsed.near_district) == (postcode, district)
    assert parsed.narrowed
    assert parsed.address_text == ""  # a name with its details is not address text
    assert parsed.problem == ""


@pytest.mark.parametrize(
    "typed",
    ["14 acland road", "john smith", "flat 2 1975 house", "john smith 1850", "john smith 19"],
)
def test_text_that_is_not_a_name_with_details_is_read_as_before(typed):
    parsed = Query.parse(typed)

    assert parsed.name == typed
    assert not parsed.narrowed
    assert parsed.kinds == ["name or address"]


def test_a_postcode_alone_is_still_a_postcode_search():
    parsed = Query.parse("dt1 1aa")

    assert parsed.postcode == "DT11AA"
    assert not parsed.narrowed
    assert parsed.name == ""


@time_machine.travel(date(2026, 12, 1))
@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("john smith 31/02/1975", "31/02/1975, must be a real date"),
        ("john smith 2027-01-05", "2027-01-05, must be in the past"),
    ],
)
def test_a_date_that_cannot_be_a_date_of_birth_is_a_problem(typed, problem):
    assert problem in Query.parse(typed).problem


def test_what_the_search_was_read_as_names_the_details():
    assert Query.parse("john smith 1975 dt1").kinds == [
        "name or address",
        "year of birth",
        "postcode district",
    ]
    assert Query.parse("john smith 12/03/1975").kinds == ["name or address", "date of birth"]


# --- Searching --------------------------------------------------------------------------------


def _smith(born, postcode, tier="medium"):
    person = PersonFactory(given_names="John", family_name="Smith", date_of_birth=born)
    PersonAddress.objects.create(
        person=person,
        address="1 Any Road",
        postcode=postcode,
        postcode_normalised=postcode.replace(" ", ""),
    )
    return ActiveEntryFactory(person=person, tier=tier)


def _smiths(count, start=0):
    return [
        _smith(date(1950 + i % 40, 1 + i % 12, 1 + i % 28), f"DT{1 + i % 9} {i % 10}AB")
        for i in range(start, start + count)
    ]


@pytest.fixture
def frontline(make_user):
    user = make_user(Role.FRONTLINE, username="frontline")
    AccessGrantFactory(service=user.service)
    return user


@pytest.mark.django_db
def test_the_namesake_with_that_date_of_birth_comes_first_among_many(frontline):
    _smiths(14)
    wanted = _smith(date(1975, 3, 12), "DT9 9ZZ")

    results = search_entries(frontline, "john smith 12/03/1975")

    assert results[0].entry == wanted
    assert results[0].reasons == ["Same name", "Same date of birth"]
    assert len(results) == 10  # the other namesakes are still shown, after


@pytest.mark.django_db
def test_the_namesake_at_that_postcode_or_in_that_district_comes_first(frontline):
    _smiths(14)
    wanted = _smith(date(1961, 5, 5), "SP8 4AA")

    by_postcode = search_entries(frontline, "John Smith SP8 4AA")
    by_district = search_entries(frontline, "john smith sp8")

    assert by_postcode[0].entry == wanted
    assert "Postcode SP8 4AA matches" in by_postcode[0].reasons
    assert by_district[0].entry == wanted
    assert "Postcode district SP8 matches" in by_district[0].reasons


@pytest.mark.django_db
def test_a_year_of_birth_puts_everyone_born_that_year_first(frontline):
    _smiths(10)
    born_1975 = {_smith(date(1975, 1, 1), "DT1 1AA"), _smith(date(1975, 12, 31), "DT2 2AA")}

    results = search_entries(frontline, "john smith 1975")

    assert {r.entry for r in results[:2]} == born_1975
    assert all("Born that year" in r.reasons for r in results[:2])
    assert all("Born that year" not in r.reasons for r in results[2:])


@pytest.mark.django_db
def test_both_details_fitting_rank_above_one(frontline):
    _smiths(6)
    one = _smith(date(1975, 3, 12), "DT5 5AA")
    both = _smith(date(1975, 3, 12), "DT9 9ZZ")

    results = search_entries(frontline, "john smith 12/03/1975 DT9 9ZZ")

    assert [r.entry for r in results[:2]] == [both, one]


@pytest.mark.django_db
def test_details_typed_never_reveal_a_namesake_the_user_may_not_see(client, make_user):
    service = ServiceFactory(name="Environmental Health")
    visitor = make_user(Role.FRONTLINE, username="visitor", service=service)
    AccessGrantFactory(service=service, low=False, medium=True, high=True)
    _smiths(3)  # medium: visible
    hidden = _smith(date(1975, 3, 12), "DT9 9ZZ", tier="low")
    client.force_login(visitor)

    results = search_entries(visitor, "john smith 12/03/1975 DT9 9ZZ")

    assert hidden not in [r.entry for r in results]
    assert not any("Same date of birth" in r.reasons for r in results)
    fits_hidden = client.post(URL, {"q": "john smith 12/03/1975"}, headers={"HX-Request": "true"})
    fits_nobody = client.post(URL, {"q": "john smith 01/01/1901"}, headers={"HX-Request": "true"})
    assert _without_csrf_tokens(fits_hidden) == _without_csrf_tokens(fits_nobody)


def _without_csrf_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@pytest.mark.django_db
def test_an_impossible_date_is_refused_beside_the_box_and_what_was_typed_is_kept(client, frontline):
    client.force_login(frontline)

    response = client.post(URL, {"q": "john smith 31/02/1975"})

    html = response.content.decode()
    assert "The date of birth in your search, 31/02/1975, must be a real date" in html
    assert 'value="john smith 31/02/1975"' in html
    assert 'data-testid="result"' not in html


@pytest.mark.django_db
def test_the_audit_says_what_the_search_was_read_as(client, frontline, audit_entries):
    _smiths(2)
    client.force_login(frontline)

    client.post(URL, {"q": "john smith 1975 dt1"})

    [search] = audit_entries(event="search", object_repr="Schedule search")
    assert search.additional_data["read_as"] == [
        "name or address",
        "year of birth",
        "postcode district",
    ]
    assert search.additional_data["query"] == "john smith 1975 dt1"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["john smith 12/03/1975", "john smith dt1 1ab", "john smith dt3"])
def test_a_narrowed_search_takes_the_same_number_of_queries_with_3_or_40_namesakes(
    client, frontline, django_assert_num_queries, typed
):
    _smiths(3)
    client.force_login(frontline)
    client.post(URL, {"q": "warm up"})
    with CaptureQueriesContext(connection) as with_3:
        client.post(URL, {"q": typed})
    _smiths(37, start=3)

    with django_assert_num_queries(len(with_3)):
        response = client.post(URL, {"q": typed})

    assert response.status_code == 200
