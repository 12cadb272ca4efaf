"""Search before contact finds the person in the cases people actually type (issue 15): a short
form of the given name both ways, names in other scripts, accents, initials; each result shows
what tells namesakes apart (year of birth, postcode district) and nothing an entry the user may not
see would give away."""

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from referrals.models import Person, PersonAddress
from schedule.search import search_entries
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ActiveEntryFactory, PersonFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = reverse("schedule:index")


def _entry(given, family, *, tier="medium", born=None, postcodes=()):
    person = PersonFactory(given_names=given, family_name=family, date_of_birth=born)
    for postcode in postcodes:
        PersonAddress.objects.create(
            person=person,
            address="1 High Street\nDorchester",
            postcode=postcode,
            postcode_normalised=postcode.replace(" ", "").upper(),
        )
    return ActiveEntryFactory(person=person, tier=tier)


@pytest.fixture
def frontline(make_user):
    user = make_user(Role.FRONTLINE, username="frontline")
    AccessGrantFactory(service=user.service)
    return user


@pytest.fixture
def visitor(make_user):
    """Medium and high risk only."""
    service = ServiceFactory(name="Environmental Health")
    user = make_user(Role.FRONTLINE, username="visitor", service=service)
    AccessGrantFactory(service=service, low=False, medium=True, high=True)
    return user


def found(user, query):
    return [str(r.entry.person) for r in search_entries(user, query) if r.entry]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("William", "Oakridge"), "Bill Oakridge"),
        (("Bill", "Oakridge"), "William Oakridge"),
        (("Jonathan", "Li"), "Jon Li"),
        (("Jon", "Li"), "Jonathan Li"),
        (("Elizabeth", "Taylor"), "Liz Taylor"),
        (("Liz", "Taylor"), "Elizabeth Taylor"),
    ],
)
def test_a_short_form_of_the_given_name_finds_the_person_both_ways(frontline, stored, typed):
    _entry(*stored)
    _entry("Margaret", "Okonkwo")

    results = search_entries(frontline, typed)

    assert [str(r.entry.person) for r in results] == [" ".join(stored)]
    assert results[0].reasons == ["Name similar (a short form of the same given name)"]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Иван", "Петров"), "Ivan Petrov"),
        (("Ivan", "Petrov"), "Иван Петров"),
        (("Ольга", "Смирнова"), "olga smirnova"),
        (("Γιώργος", "Παπαδόπουλος"), "Giorgos Papadopoulos"),
        (("Eleni", "Nikolaidou"), "Ελένη Νικολαΐδου"),
        (("Seán", "Ó Briain"), "sean obriain"),
    ],
)
def test_names_in_other_scripts_and_accents_are_found(frontline, stored, typed):
    _entry(*stored)

    assert found(frontline, typed) == [" ".join(stored)]


def test_an_initial_finds_the_person_below_the_name_in_full(frontline):
    _entry("John", "Kingsworth")
    _entry("Jane", "Kingsworth")
    _entry("Peter", "Kingsworth")

    results = search_entries(frontline, "J Kingsworth")

    assert sorted(str(r.entry.person) for r in results) == ["Jane Kingsworth", "John Kingsworth"]
    assert all(r.score < search_entries(frontline, "John Kingsworth")[0].score for r in results)
    assert results[0].reasons == ["Initials match"]


def test_a_name_stored_as_an_initial_is_found_by_the_name_in_full(frontline):
    _entry("M", "Fairbury")

    assert found(frontline, "Margaret Fairbury") == ["M Fairbury"]


def test_namesakes_are_told_apart_by_year_of_birth_and_postcode_district(client, frontline):
    _entry("John", "Smith", born=date(1971, 3, 4), postcodes=["DT1 1AA"])
    _entry("John", "Smith", born=date(1985, 11, 20), postcodes=["DT4 7QR", "BH15 1AB"])
    client.force_login(frontline)

    html = client.post(URL, {"q": "John Smith"}).content.decode()

    assert 'John Smith, born 1971, <span data-testid="postcode-district">DT1</span>' in html
    assert 'born 1985, <span data-testid="postcode-district">BH15, DT4</span>' in html
    # The year and the district, never the full date of birth or the rest of the postcode.
    for shown_too_much in ("4 March 1971", "20 November 1985", "DT1 1AA", "7QR", "High Street"):
        assert shown_too_much not in html


def test_a_hidden_namesake_stays_hidden_distinguishers_and_all(client, visitor):
    _entry("John", "Smith", tier="high", born=date(1971, 3, 4), postcodes=["DT1 1AA"])
    _entry("John", "Smith", tier="low", born=date(1985, 11, 20), postcodes=["DT4 7QR"])
    client.force_login(visitor)

    html = client.post(URL, {"q": "Jon Smith"}).content.decode()

    assert "1 result" in html
    assert "born 1971" in html
    assert "DT1" in html
    assert "1985" not in html
    assert "DT4" not in html


def test_a_hidden_entry_found_only_by_a_short_form_reads_as_no_match(client, visitor):
    _entry("William", "Oakridge", tier="low")
    client.force_login(visitor)

    hidden = client.post(URL, {"q": "Bill Oakridge"}, headers={"HX-Request": "true"})
    stranger = client.post(URL, {"q": "Bill Nobodyatall"}, headers={"HX-Request": "true"})

    assert hidden.content == stranger.content


def test_the_migration_gives_names_already_stored_in_other_scripts_their_search_name(frontline):
    entry = _entry("Иван", "Петров")
    # As the old normaliser stored it: every letter dropped.
    Person.objects.filter(pk=entry.person_id).update(search_name="")
    assert found(frontline, "Ivan Petrov") == []

    migration = importlib.import_module("schedule.migrations.0014_transliterated_search_names")
    migration.forwards(django_apps, None)

    assert found(frontline, "Ivan Petrov") == ["Иван Петров"]
