"""Matching a described individual to people already known (referrals.matching), on PostgreSQL
(pg_trgm) and on SQLite (the Python fallback) alike."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import normalise
from referrals.matching import (
    MATCH_THRESHOLD,
    NAME_FLOOR,
    Candidate,
    candidate_people,
    name_similarity,
    trigram_similarity,
)
from referrals.models import Person, PersonAddress, PersonAlias, PersonEmail, PersonPhone
from referrals.selectors import visible_people
from referrals.services import person_create
from schedule.models import Entry
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role
from ubpanel.tiers import RiskTier

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

# Queries per call: the pool (1 on PostgreSQL, 3 on SQLite), the people, four prefetches.
MAX_QUERIES = 8


def add_person(given_names, family_name, *, service=None, addresses=(), **details):
    return person_create(
        actor=None,
        given_names=given_names,
        family_name=family_name,
        recorded_by_service=service or ServiceFactory(name="Housing"),
        addresses=[("1 High Street, Dorchester", postcode) for postcode in addresses],
        **details,
    )


def match(**described) -> list[Candidate]:
    return candidate_people(Person.objects.all(), **described)


def people(candidates):
    return [candidate.person for candidate in candidates]


def the_candidate_for(person, candidates) -> Candidate:
    [candidate] = [c for c in candidates if c.person == person]
    return candidate


# --- Names ----------------------------------------------------------------------------------


def test_a_misspelt_name_finds_the_person():
    jonathan = add_person("Jonathan", "Smyth")

    candidates = match(given_names="Jonathon", family_name="Smith")

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Name similar"]
    assert MATCH_THRESHOLD <= candidates[0].score < 1


def test_first_and_last_names_swapped_still_match():
    jonathan = add_person("Jonathan", "Smyth")

    candidates = match(given_names="Smyth", family_name="Jonathan")

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Same names in a different order"]


@pytest.mark.parametrize(
    ("stored", "searched"), [("Zoë", "Zoe"), ("Zoe", "Zoë"), ("Zoë", "ZOË"), ("Siân", "Sian")]
)
def test_accents_and_case_are_ignored(stored, searched):
    zoe = add_person(stored, "Whitlock")

    candidates = match(given_names=searched, family_name="Whitlock")

    assert people(candidates) == [zoe]
    assert candidates[0].reasons == ["Same name"]


@pytest.mark.parametrize("searched", ["Whitlock Jones", "Whitlock-Jones", "Whitlockjones"])
def test_hyphens_spaces_or_neither_match_a_double_barrelled_name(searched):
    zoe = add_person("Zoë", "Whitlock-Jones")

    candidates = match(given_names="Zoe", family_name=searched)

    assert people(candidates) == [zoe]
    assert candidates[0].reasons == ["Same name"]


def test_an_alias_matches_and_is_named_in_the_reasons():
    jonathan = add_person("Jonathan", "Smyth", aliases=["Jon Smyth", "J. J. Smyth"])

    similar = match(given_names="Jon", family_name="Smith")
    same = match(given_names="Jon", family_name="Smyth")

    assert people(similar) == [jonathan]
    assert similar[0].reasons == ["Name similar to alias ‘Jon Smyth’"]
    assert same[0].reasons == ["Same name as alias ‘Jon Smyth’"]
    assert same[0].score > similar[0].score


def test_other_names_given_for_the_individual_are_matched_too():
    jonathan = add_person("Jonathan", "Smyth")

    candidates = match(given_names="JJ", family_name="Bloggs", aliases=["Jonathan Smyth"])

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Other name ‘Jonathan Smyth’ matches their name"]


# --- Exact details --------------------------------------------------------------------------


def test_a_postcode_in_any_form_matches():
    jonathan = add_person("Jonathan", "Smyth", addresses=["DT1 1AA"])

    candidates = match(given_names="Jonathan", family_name="Smyth", postcode="dt11aa")

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Same name", "Postcode DT1 1AA matches"]


def test_a_postcode_and_a_date_of_birth_find_someone_without_a_name():
    born = date(1971, 3, 4)
    jonathan = add_person("Jonathan", "Smyth", date_of_birth=born, addresses=["DT1 1AA"])

    candidates = match(postcode="dt1 1aa", date_of_birth=born)

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Same date of birth", "Postcode DT1 1AA matches"]


@pytest.mark.parametrize(
    ("stored", "searched"),
    [
        ("07700900123", "+44 7700 900123"),
        ("+44 7700 900123", "07700 900123"),
        ("+44 (0)7700 900123", "0044 7700 900123"),
    ],
)
def test_a_phone_number_in_any_form_finds_the_person(stored, searched):
    jonathan = add_person("Jonathan", "Smyth", phones=[stored])

    candidates = match(phone=searched)

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Phone number matches"]


def test_an_email_matches_whatever_its_case():
    jonathan = add_person("Jonathan", "Smyth", emails=["J.Smyth@Example.com"])

    candidates = match(email="  j.smyth@EXAMPLE.COM ")

    assert people(candidates) == [jonathan]
    assert candidates[0].reasons == ["Email matches"]


def test_a_date_of_birth_raises_the_score():
    born = date(1971, 3, 4)
    same_birthday = add_person("Jonathan", "Smyth", date_of_birth=born)
    other_birthday = add_person("Jonathan", "Smyth", date_of_birth=date(1980, 1, 1))

    candidates = match(given_names="Jonathan", family_name="Smyth", date_of_birth=born)

    assert people(candidates) == [same_birthday, other_birthday]
    assert candidates[0].score > candidates[1].score
    assert candidates[0].reasons == ["Same name", "Same date of birth"]
    assert candidates[1].reasons == ["Same name"]


def test_everything_matching_scores_near_one_but_never_above():
    born = date(1971, 3, 4)
    add_person(
        "Jonathan",
        "Smyth",
        date_of_birth=born,
        addresses=["DT1 1AA"],
        emails=["j.smyth@example.com"],
        phones=["07700900123"],
    )

    [candidate] = match(
        given_names="Jonathan",
        family_name="Smyth",
        date_of_birth=born,
        postcode="DT1 1AA",
        email="j.smyth@example.com",
        phone="07700 900123",
    )

    assert 0.95 < candidate.score <= 1
    assert candidate.reasons == [
        "Same name",
        "Same date of birth",
        "Email matches",
        "Phone number matches",
        "Postcode DT1 1AA matches",
    ]


# --- Who is not returned --------------------------------------------------------------------


def test_unrelated_people_are_not_returned():
    jonathan = add_person("Jonathan", "Smyth")
    add_person("Margaret", "Okonkwo")
    add_person("Priya", "Patel")
    add_person("Jonas", "Whitlock")

    assert people(match(given_names="Jonathan", family_name="Smyth")) == [jonathan]


def test_a_shared_birthday_or_postcode_alone_is_not_a_match():
    born = date(1971, 3, 4)
    add_person("Margaret", "Okonkwo", date_of_birth=born)
    add_person("Priya", "Patel", addresses=["DT1 1AA"])

    assert match(given_names="Jonathan", family_name="Smyth", date_of_birth=born) == []
    assert match(given_names="Jonathan", family_name="Smyth", postcode="DT1 1AA") == []


def test_people_outside_the_visible_set_are_never_returned(make_user):
    housing, waste = ServiceFactory(name="Housing"), ServiceFactory(name="Waste")
    details = {"emails": ["j.smyth@example.com"], "phones": ["07700900123"]}
    ours = add_person("Jonathan", "Smyth", service=housing, **details)
    add_person("Jonathan", "Smyth", service=waste, aliases=["Jon Smyth"], **details)
    add_person("Jon", "Smyth", service=waste, date_of_birth=date(1971, 3, 4), **details)
    manager = make_user(Role.REFERRING_MANAGER, service=housing)

    candidates = candidate_people(
        visible_people(manager),
        given_names="Jon",
        family_name="Smyth",
        date_of_birth=date(1971, 3, 4),
        email="j.smyth@example.com",
        phone="07700900123",
    )

    assert people(candidates) == [ours]


def test_someone_who_may_see_nobody_gets_no_candidates(make_user, django_assert_num_queries):
    add_person("Jonathan", "Smyth", emails=["j.smyth@example.com"])
    nobody = visible_people(make_user())

    with django_assert_num_queries(0):
        candidates = candidate_people(nobody, given_names="Jonathan", family_name="Smyth")

    assert candidates == []


def test_nothing_described_finds_nobody_without_asking_the_database(django_assert_num_queries):
    add_person("Jonathan", "Smyth")

    with django_assert_num_queries(0):
        assert match(given_names="  ", family_name="-", aliases=["", " "]) == []


# --- The schedule ---------------------------------------------------------------------------


def test_on_schedule_is_true_for_a_live_entry_and_false_for_a_removed_one():
    live = add_person("Jonathan", "Smyth", date_of_birth=date(1971, 3, 4))
    removed = add_person("Jonathan", "Smyth", date_of_birth=date(1980, 1, 1))
    never = add_person("Jonathan", "Smyth", date_of_birth=date(1990, 1, 1))
    Entry.objects.create(person=live, tier=RiskTier.HIGH, status=EntryStatus.ACTIVE)
    Entry.objects.create(person=removed, tier=RiskTier.LOW, status=EntryStatus.REMOVED)

    candidates = match(given_names="Jonathan", family_name="Smyth")

    assert the_candidate_for(live, candidates).on_schedule is True
    assert the_candidate_for(removed, candidates).on_schedule is False
    assert the_candidate_for(never, candidates).on_schedule is False


@pytest.mark.parametrize(
    "status", [EntryStatus.PENDING_RATIFICATION, EntryStatus.ACTIVE, EntryStatus.UNDER_APPEAL]
)
def test_every_live_status_counts_as_on_the_schedule(status):
    person = add_person("Jonathan", "Smyth")
    Entry.objects.create(person=person, tier=RiskTier.MEDIUM, status=status)

    [candidate] = match(given_names="Jonathan", family_name="Smyth")

    assert candidate.on_schedule is True


# --- Order, limit and cost ------------------------------------------------------------------


def test_results_are_ordered_by_score():
    born = date(1971, 3, 4)
    misspelt = add_person("Jonathon", "Smith")
    exact = add_person("Jonathan", "Smyth")
    exact_and_born = add_person("Jonathan", "Smyth", date_of_birth=born, addresses=["DT1 1AA"])
    alias_only = add_person("John", "Doe", aliases=["Jon Smyth"])

    candidates = match(
        given_names="Jonathan", family_name="Smyth", date_of_birth=born, postcode="DT1 1AA"
    )

    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert people(candidates)[:2] == [exact_and_born, exact]
    assert set(people(candidates)) == {exact_and_born, exact, misspelt, alias_only}
    assert all(MATCH_THRESHOLD <= score <= 1 for score in scores)


def test_the_limit_is_respected():
    for _ in range(6):
        add_person("Jonathan", "Smyth")

    assert len(match(given_names="Jonathan", family_name="Smyth", limit=4)) == 4
    assert len(match(given_names="Jonathan", family_name="Smyth")) == 6
    assert match(given_names="Jonathan", family_name="Smyth", limit=0) == []


def seed_lookalikes(count, *, start=0):
    """``count`` people who all look something like Jonathan Smyth of DT1 1AA, in bulk."""
    given = ["Jonathan", "Jonathon", "Jon", "John", "Johnathan", "Jonny"]
    family = ["Smyth", "Smith", "Smythe", "Smithe", "Smyth-Jones", "Smiths"]
    service = ServiceFactory(name="Housing")
    new = Person.objects.bulk_create(
        Person(
            given_names=given[i % len(given)],
            family_name=family[(i // len(given)) % len(family)],
            search_name=normalise.name(
                f"{given[i % len(given)]} {family[(i // len(given)) % len(family)]}"
            ),
            date_of_birth=date(1971, 3, 4) if i % 5 == 0 else None,
            recorded_by_service=service,
        )
        for i in range(start, start + count)
    )
    PersonAlias.objects.bulk_create(
        PersonAlias(person=p, name=f"J Smyth {p.pk}", search_name=f"j smyth {p.pk}") for p in new
    )
    PersonAddress.objects.bulk_create(
        PersonAddress(
            person=p, address="1 High St", postcode="DT1 1AA", postcode_normalised="DT11AA"
        )
        for p in new
    )
    PersonEmail.objects.bulk_create(
        PersonEmail(person=p, email=f"p{p.pk}@example.com", email_normalised=f"p{p.pk}@example.com")
        for p in new
    )
    PersonPhone.objects.bulk_create(
        PersonPhone(person=p, number="07700900123", number_normalised="07700900123") for p in new
    )
    Entry.objects.bulk_create(
        Entry(person=p, tier=RiskTier.LOW, status=EntryStatus.ACTIVE) for p in new[::3]
    )


def search_and_display():
    """What the triage page does: find, then show each candidate's aliases and addresses."""
    candidates = candidate_people(
        Person.objects.all(),
        given_names="Jonathan",
        family_name="Smyth",
        aliases=["Jon Smyth"],
        date_of_birth=date(1971, 3, 4),
        postcode="dt11aa",
        email="p1@example.com",
        phone="+44 7700 900123",
    )
    for candidate in candidates:
        list(candidate.person.aliases.all())
        list(candidate.person.addresses.all())
        candidate.on_schedule  # noqa: B018
    return candidates


@pytest.mark.parametrize("how_many", [5, 200])
def test_the_number_of_queries_is_bounded_however_many_people_there_are(
    how_many, django_assert_max_num_queries
):
    seed_lookalikes(how_many)

    with django_assert_max_num_queries(MAX_QUERIES):
        candidates = search_and_display()

    assert len(candidates) == min(how_many, 10)


def test_200_people_cost_the_same_queries_as_5():
    seed_lookalikes(5)
    with CaptureQueriesContext(connection) as few:
        few_candidates = search_and_display()
    seed_lookalikes(195, start=5)
    with CaptureQueriesContext(connection) as many:
        many_candidates = search_and_display()

    assert len(few_candidates) == 5
    assert len(many_candidates) == 10
    assert len(many) == len(few)


def test_aliases_and_addresses_come_prefetched(django_assert_num_queries):
    add_person("Jonathan", "Smyth", aliases=["Jon Smyth"], addresses=["DT1 1AA"])
    add_person("Jonathon", "Smith", aliases=["Jon Smith"], addresses=["DT1 2BB"])
    candidates = match(given_names="Jonathan", family_name="Smyth")

    with django_assert_num_queries(0):
        shown = [
            ([a.name for a in c.person.aliases.all()], [str(a) for a in c.person.addresses.all()])
            for c in candidates
        ]

    assert shown == [
        (["Jon Smyth"], ["1 High Street, Dorchester, DT1 1AA"]),
        (["Jon Smith"], ["1 High Street, Dorchester, DT1 2BB"]),
    ]


# --- The measures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("jonathan smyth", "smyth jonathan"),
        ("zoe whitlock jones", "zoe whitlockjones"),
        ("mary ann smith", "smith mary ann"),
    ],
)
def test_the_same_names_in_any_order_or_run_together_are_the_same_name(a, b):
    assert name_similarity(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("jonathon smith", "jonathan smyth"),
        ("daneil west", "daniel west"),
        ("j smyth", "jonathan smyth"),
        ("jonathan paul smyth", "jonathan smyth"),
        ("whitlokjones", "whitlock jones"),
    ],
)
def test_typos_initials_and_middle_names_leave_names_alike(a, b):
    assert name_similarity(a, b) >= 0.75


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("jonathan smyth", "margaret okonkwo"),
        ("jonathan smyth", "priya patel"),
        ("john smith", "john jones"),
        ("jonathan smyth", ""),
    ],
)
def test_different_names_are_not_alike(a, b):
    assert name_similarity(a, b) < NAME_FLOOR


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("jonathon smith", "jonathan smyth"),
        ("jonathan smyth", "smyth jonathan"),
        ("zoe whitlock jones", "zoe whitlockjones"),
        ("j smyth", "jonathan smyth"),
        ("daneil wset", "daniel west"),
        ("a", "ab"),
        ("jonathan smyth", ""),
    ],
)
def test_the_sqlite_trigram_measure_is_pg_trgms(a, b):
    """The SQLite fallback builds the same pool as PostgreSQL only if the two measures agree."""
    if connection.vendor != "postgresql":
        pytest.skip("compares with pg_trgm's similarity(); CI runs it on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(%s, %s)", [a, b])
        [(expected,)] = cursor.fetchall()

    assert trigram_similarity(a, b) == pytest.approx(expected, abs=1e-6)


# --- The cases people actually type (issue 15) ------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("William", "Oakridge"), ("Bill", "Oakridge")),
        (("Bill", "Oakridge"), ("William", "Oakridge")),
        (("Jonathan", "Li"), ("Jon", "Li")),  # a short family name: trigrams alone miss it
        (("Jon", "Li"), ("Jonathan", "Li")),
        (("Elizabeth", "Taylor"), ("Liz", "Taylor")),
        (("Liz", "Taylor"), ("Elizabeth", "Taylor")),
    ],
)
def test_a_short_form_of_the_given_name_finds_the_person_both_ways(stored, typed):
    person = add_person(*stored)
    add_person("Margaret", "Okonkwo")

    candidates = match(given_names=typed[0], family_name=typed[1])

    assert people(candidates) == [person]
    assert candidates[0].reasons == ["Name similar (a short form of the same given name)"]
    assert candidates[0].score >= MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Иван", "Петров"), ("Ivan", "Petrov")),
        (("Ivan", "Petrov"), ("Иван", "Петров")),
        (("Γιώργος", "Παπαδόπουλος"), ("Giorgos", "Papadopoulos")),
        (("Seán", "Ó Briain"), ("Sean", "OBriain")),
    ],
)
def test_names_in_other_scripts_and_accents_find_the_person(stored, typed):
    person = add_person(*stored)

    assert people(match(given_names=typed[0], family_name=typed[1])) == [person]


def test_an_initial_finds_the_person_but_scores_below_the_name_in_full():
    john = add_person("John", "Kingsworth")
    j = add_person("J", "Kingsworth")

    candidates = {c.person: c for c in match(given_names="John", family_name="Kingsworth")}

    assert set(candidates) == {john, j}
    assert candidates[j].score < candidates[john].score
    assert candidates[j].reasons == ["Name similar (initials)"]


def test_a_name_merely_spelt_alike_is_not_called_a_short_form():
    add_person("Jonathan", "Smyth")

    assert match(given_names="Jonathon", family_name="Smyth")[0].reasons == ["Name similar"]


def test_short_forms_do_not_add_queries():
    add_person("William", "Oakridge")

    with CaptureQueriesContext(connection) as queries:
        match(given_names="Bill", family_name="Oakridge")

    assert len(queries) <= MAX_QUERIES
