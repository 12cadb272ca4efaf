"""No input gives a 500 (issue 12, point 1): an id too large for the database, a NUL, 100,000
characters. Each answers 404 or a message beside the field, and nothing is stored."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from panel import services as panel_services
from panel.models import Decision, DecisionCorrection, InviteeRole, Seat
from panel.services import invitee_add
from referrals.models import Person, Referral, ReferralStatus
from ubpanel.access import get_object_or_404
from ubpanel.converters import MAX_ID, IdConverter, parse_id
from ubpanel.roles import Role

from .factories import (
    AgendaItemFactory,
    PersonFactory,
    ReferralFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import carry, open_meeting, seat_holders

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63  # one past the largest signed 64-bit integer: PostgreSQL's bigint overflows
HOSTILE = {
    "a NUL": "\x00",
    "digits then a NUL": "1\x00",
    "100,000 characters": "1" * 100_000,
    "2**63": str(TOO_BIG),
    "2**64": str(2**64),
}
CHOOSE = "Choose one of the possible matches, or record a new person"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Ids: the URL converter and the access helper ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("0", 0),
        (str(MAX_ID), MAX_ID),
        (MAX_ID, MAX_ID),
        (str(TOO_BIG), None),
        (TOO_BIG, None),
        ("1" * 100_000, None),
        ("\x00", None),
        ("1\x00", None),
        ("-1", None),
        ("١٢", None),  # Arabic-Indic digits: isdigit() says yes, an id column says no
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_id_accepts_only_what_an_id_column_holds(value, expected):
    assert parse_id(value) == expected


def _object_routes(resolver=None, prefix=""):
    """(name, pattern) for every route of ours that takes a record id."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _object_routes(entry, prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.pattern.converters:
            yield prefix + entry.name, entry.pattern


OBJECT_ROUTES = sorted(_object_routes())


def test_every_object_route_takes_its_ids_with_the_id_converter():
    assert len(OBJECT_ROUTES) > 50
    loose = [
        name
        for name, pattern in OBJECT_ROUTES
        if any(isinstance(c, IntConverter) for c in pattern.converters.values())
    ]
    assert loose == [], "use <id:pk>, not <int:pk>: 2**63 would reach the database"


def test_an_id_too_large_for_the_database_is_a_404_on_every_object_url(make_user):
    client = _client(make_user(Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER))
    answers = {}
    for name, pattern in OBJECT_ROUTES:
        kwargs = {
            key: TOO_BIG if isinstance(converter, IdConverter) else "x"
            for key, converter in pattern.converters.items()
        }
        url = reverse(name, kwargs=kwargs)
        answers[name] = (client.get(url).status_code, client.post(url).status_code)

    assert {name: codes for name, codes in answers.items() if codes != (404, 404)} == {}


def test_a_five_thousand_digit_id_is_a_404(assurance_client):
    assert assurance_client.get(f"/referrals/triage/{'9' * 5_000}/").status_code == 404


@pytest.mark.parametrize("value", [TOO_BIG, str(TOO_BIG), "\x00", "1" * 100_000, "-3"])
def test_the_access_helper_sends_no_malformed_id_to_the_database(value, audit_entries):
    PersonFactory()

    with CaptureQueriesContext(connection) as queries, pytest.raises(Http404):
        get_object_or_404(Person.objects.all(), pk=value)

    table = Person._meta.db_table
    assert not [q for q in queries if f'FROM "{table}"' in q["sql"]]
    assert len(audit_entries(event="denied")) == 1


# --- The person chosen on the triage page and the manager's draft ------------------------------


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_tampered_person_on_the_link_person_form_is_a_message(assurance_client, value):
    referral = SubmittedReferralFactory(subject_given_names="Ann", subject_family_name="Other")
    people = Person.objects.count()

    response = assurance_client.post(
        reverse("referrals:link_person", args=[referral.pk]), {"person": value}
    )

    assert response.status_code == 400
    assert CHOOSE in response.content.decode()
    referral.refresh_from_db()
    assert referral.person is None
    assert Person.objects.count() == people


def test_linking_a_person_still_works(assurance_client):
    person = PersonFactory()
    referral = SubmittedReferralFactory()

    assurance_client.post(
        reverse("referrals:link_person", args=[referral.pk]), {"person": str(person.pk)}
    )

    referral.refresh_from_db()
    assert referral.person == person


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_tampered_person_on_the_managers_draft_is_a_message(manager_client, value):
    referral = ReferralFactory(referrer=manager_client.user, status=ReferralStatus.DRAFT)

    response = manager_client.post(
        reverse("referrals:suggest_person", args=[referral.pk]), {"person": value}, follow=True
    )

    assert response.status_code == 200
    assert "Choose one of the possible matches" in response.content.decode()
    referral.refresh_from_db()
    assert referral.person is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject_given_names", "Ann\x00", "Given names must not contain a null character"),
        ("subject_given_names", "A" * 100_000, "Given names must be 200 characters or fewer"),
        ("subject_address", "1 High St" * 10_000, "Address must be 500 characters or fewer"),
    ],
)
def test_the_individuals_details_on_the_triage_page_refuse_nul_and_overlong_text(
    assurance_client, field, value, message
):
    referral = SubmittedReferralFactory(subject_given_names="Ann", subject_family_name="Other")
    data = {"subject-subject_family_name": "Other", f"subject-{field}": value}

    response = assurance_client.post(reverse("referrals:subject_edit", args=[referral.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert value[:50].replace("\x00", "") in html  # what was typed is shown again
    referral.refresh_from_db()
    assert getattr(referral, field) != value


# --- A correction to a decision ----------------------------------------------------------------


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def decided(holders):
    item = AgendaItemFactory(meeting=open_meeting(holders))
    return carry(holders, item)[1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("spoc_name", "S" * 201, "Single point of contact must be 200 characters or fewer"),
        ("how_to_respond", "x" * 10_001, "The corrected text must be 10,000 characters or fewer"),
        ("reasons", "Typed\x00", "The corrected text must not contain a null character"),
    ],
)
def test_a_correction_too_long_for_its_field_is_a_message_naming_it(
    holders, decided, field, value, message
):
    before = getattr(decided, field)

    response = _client(holders[Seat.CHAIR]).post(
        reverse("panel:decision_correct", args=[decided.pk]),
        {"field": field, "value": value, "reason": "Typed wrongly."},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    decided.refresh_from_db()
    assert getattr(decided, field) == before
    assert not DecisionCorrection.objects.filter(decision=decided).exists()


def test_a_correction_within_the_limit_is_recorded(holders, decided):
    response = _client(holders[Seat.CHAIR]).post(
        reverse("panel:decision_correct", args=[decided.pk]),
        {"field": "spoc_name", "value": "S" * 200, "reason": "Full name."},
    )

    assert response.status_code == 302
    assert Decision.objects.get(pk=decided.pk).spoc_name == "S" * 200


def test_the_correction_service_itself_refuses_a_value_too_long_for_the_column(holders, decided):
    with pytest.raises(ValidationError) as refused:
        panel_services.decision_correct(
            actor=holders[Seat.CHAIR],
            decision=decided,
            field="spoc_name",
            value="S" * 201,
            reason="Typed wrongly.",
        )

    assert refused.value.message_dict == {
        "value": ["Single point of contact must be 200 characters or fewer"]
    }
    assert not DecisionCorrection.objects.filter(decision=decided).exists()


# --- The Operations Manager's statement --------------------------------------------------------


def test_a_nul_in_the_item_statement_is_a_message_and_the_text_is_kept(holders):
    item = AgendaItemFactory(meeting=open_meeting(holders))
    manager = UserFactory(username="presenter", roles=[Role.REFERRING_MANAGER])
    invitee_add(
        actor=holders[Seat.CHAIR], item=item, user=manager, role=InviteeRole.OPERATIONS_MANAGER
    )

    response = _client(manager).post(
        reverse("panel:statement", args=[item.pk]),
        {"statement": "Six calls a day,\x00 every day since June."},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "The Operations Manager&#x27;s statement must not contain a null character" in html
    assert "every day since June." in html
    item.refresh_from_db()
    assert item.statement == ""


# --- Live search -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Zoe" * 100, "Zoe\x00"])
def test_live_search_shows_the_same_error_as_the_full_page(frontline_client, typed):
    url = reverse("schedule:index")

    page = frontline_client.post(url, {"q": typed}).content.decode()
    live = frontline_client.post(url, {"q": typed}, headers={"HX-Request": "true"})

    [message] = [
        m
        for m in (
            "Name, address, postcode, email or phone number must be 200 characters or fewer",
            "Name, address, postcode, email or phone number must not contain a null character",
        )
        if m in page
    ]
    assert live.status_code == 200  # htmx swaps only a 2xx answer into the page
    assert message in live.content.decode()
    assert 'data-testid="search-error"' in live.content.decode()
    assert "<html" not in live.content.decode()


def test_nothing_is_stored_by_a_refused_referral_field(manager_client):
    response = manager_client.post(
        reverse("referrals:new"), {"subject_family_name": "Other", "summary": "s" * 100_000}
    )

    assert "must be 10,000 characters or fewer" in response.content.decode()
    assert not Referral.objects.filter(summary__startswith="sss").exists()
