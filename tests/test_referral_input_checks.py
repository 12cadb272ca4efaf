"""The individual's details and the incidents are checked where they are typed: each message
beside its field, in GOV.UK words naming the field, and what was typed shown again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.forms import IncidentForm, ReferralForm, SubjectForm
from referrals.models import Referral
from ubpanel.roles import Role

from .factories import ServiceFactory
from .test_referral_form import form_data

pytestmark = pytest.mark.django_db


def referral_form(**data) -> ReferralForm:
    form = ReferralForm(data)
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("subject_email", "jo.smith@", "Enter an email address in the correct format"),
        ("subject_email", "jo smith@example.com", "Enter an email address in the correct format"),
        ("subject_phone", "0770", "Enter a phone number, like 01632 960 001"),
        ("subject_phone", "call me", "Enter a phone number, like 01632 960 001"),
        ("subject_postcode", "DT1", "Enter a real postcode, like DT1 1XJ"),
        ("subject_postcode", "12345", "Enter a real postcode, like DT1 1XJ"),
        ("number_of_incidents", "-2", "The number of incidents must be 0 or more"),
        ("number_of_incidents", "lots", "The number of incidents must be a whole number"),
    ],
)
def test_a_wrong_value_is_refused_beside_its_field(field, typed, message):
    form = referral_form(**{field: typed})
    assert message in form.errors[field][0]
    assert list(form.errors) == [field]


@pytest.mark.parametrize(
    ("field", "typed", "kept"),
    [
        ("subject_email", " jo.smith@example.com ", "jo.smith@example.com"),
        ("subject_phone", "07700 900123 ext 2", "07700 900123 ext. 2"),
        ("subject_phone", "+44 (0)1305 251010", "01305 251010"),
        ("subject_phone", "+33 1 42 68 53 00", "+33 1 42 68 53 00"),
        ("subject_postcode", "dt11aa", "DT1 1AA"),
        ("subject_postcode", "sw1a  2aa", "SW1A 2AA"),
        ("subject_postcode", "GIR 0AA", "GIR 0AA"),
        ("number_of_incidents", "0", 0),
    ],
)
def test_a_right_value_is_written_back_in_one_form(field, typed, kept):
    form = referral_form(**{field: typed})
    assert field not in form.errors
    assert form.cleaned_data[field] == kept


def test_a_date_of_birth_in_the_future_is_refused():
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = referral_form(subject_date_of_birth=tomorrow.isoformat())
    assert form.errors["subject_date_of_birth"] == ["Date of birth must be in the past"]


def test_an_incident_date_in_the_future_is_refused_and_today_is_not():
    today = timezone.localdate()
    future = IncidentForm({"occurred_on": (today + timedelta(days=1)).isoformat()})
    assert future.errors["occurred_on"] == ["The date of the incident must be today or in the past"]
    assert IncidentForm({"occurred_on": today.isoformat()}).is_valid()


def test_assurance_records_who_it_is_about_with_the_same_checks():
    form = SubjectForm(
        {
            "subject_family_name": "Smyth",
            "subject_email": "not an email",
            "subject_phone": "12",
            "subject_postcode": "nowhere",
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"subject_email", "subject_phone", "subject_postcode"}


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user(Role.REFERRING_MANAGER, service=ServiceFactory()))
    return client


def test_on_the_page_each_message_is_beside_its_field_and_what_was_typed_is_kept(manager_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = manager_client.post(
        reverse("referrals:new"),
        form_data(
            submit=None,
            save="1",
            subject_email="jo@",
            subject_phone="0770",
            subject_postcode="DT99",
            number_of_incidents="-1",
            **{
                "incidents-0-occurred_on": None,
                "incidents-0-occurred_on_day": str(tomorrow.day),
                "incidents-0-occurred_on_month": str(tomorrow.month),
                "incidents-0-occurred_on_year": str(tomorrow.year),
            },
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    for field, message in [
        ("subject_email", "Enter an email address in the correct format"),
        ("subject_phone", "Enter a phone number"),
        ("subject_postcode", "Enter a real postcode"),
        ("number_of_incidents", "The number of incidents must be 0 or more"),
        ("incidents-0-occurred_on", "The date of the incident must be today or in the past"),
    ]:
        error_start = page.index(f'id="id_{field}-error"')
        assert message in page[error_start : error_start + 300], field
    assert 'value="jo@"' in page
    assert 'value="0770"' in page
    assert 'value="DT99"' in page
    assert f'name="incidents-0-occurred_on_year" value="{tomorrow.year}"' in page
    # The draft keeps what was right; nothing wrong is stored.
    assert Referral.objects.get().subject_email == ""
