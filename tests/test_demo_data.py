"""The demo_data command: demo logins for the embedded demo, never in production."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from referrals.models import Person
from ubpanel.demo import DEMO_PASSWORD, DEMO_PEOPLE, DEMO_USERS
from ubpanel.models import User
from ubpanel.roles import Role, has_role, user_roles

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [username for username, *_ in DEMO_USERS]


def demo_data() -> str:
    out = StringIO()
    call_command("demo_data", stdout=out)
    return out.getvalue()


def test_there_is_a_demo_login_for_each_role():
    assert {role for _, role, *_ in DEMO_USERS} == set(Role)
    assert len(set(DEMO_USERNAMES)) == len(DEMO_USERNAMES)


def test_every_panel_seat_is_filled_in_the_demo(db):
    from panel.models import Seat, SeatMember

    demo_data()
    holders = SeatMember.objects.filter(is_deputy=False).values_list("seat", flat=True)
    assert sorted(holders) == sorted(Seat.values)
    assert SeatMember.objects.filter(is_deputy=True).exists()


def test_demo_data_creates_the_demo_users_and_people_and_lists_the_logins():
    output = demo_data()

    assert set(User.objects.values_list("username", flat=True)) == set(DEMO_USERNAMES)
    for given, family, *_ in DEMO_PEOPLE:
        assert Person.objects.filter(given_names=given, family_name=family).exists()
    assert DEMO_PASSWORD in output
    for username, role, *_ in DEMO_USERS:
        assert username in output
        assert role.label in output


def test_demo_data_can_run_twice_without_duplicating_anything():
    demo_data()
    people_before = set(Person.objects.values_list("pk", flat=True))
    users_before = set(User.objects.values_list("pk", flat=True))

    demo_data()

    assert set(User.objects.values_list("pk", flat=True)) == users_before
    assert set(Person.objects.values_list("pk", flat=True)) == people_before
    assert User.objects.count() == len(DEMO_USERS)


def test_each_demo_user_holds_only_their_role():
    demo_data()

    for username, role, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user_roles(user) == {role}, username
        assert user.is_active, username
        assert not user.is_superuser, username
        assert not user.is_staff, username


def test_each_demo_user_can_sign_in_through_the_sign_in_form_with_the_demo_password():
    # One run of the command for all ten: each run hashes ten passwords with Argon2.
    demo_data()

    for username, role, *_ in DEMO_USERS:
        browser = Client()
        response = browser.post(
            reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
        )

        assert response.status_code == 200, username
        assert response.resolver_match.url_name == "home", username
        assert response.context["user"].username == username
        assert role.label in response.content.decode(), username


def test_a_demo_user_cannot_sign_in_with_a_wrong_password():
    demo_data()

    response = Client().post(reverse("login"), {"username": "chair", "password": "not-it"})

    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_running_it_again_resets_a_demo_users_password_and_role():
    demo_data()
    chair = User.objects.get(username="chair")
    chair.set_password("something else entirely")
    chair.save()
    chair.groups.clear()
    chair.is_active = False
    chair.save()

    demo_data()

    chair = User.objects.get(username="chair")
    assert chair.check_password(DEMO_PASSWORD)
    assert chair.is_active
    assert has_role(chair, Role.PANEL_CHAIR)


def test_demo_people_are_created_by_the_assurance_demo_user_and_audited():
    demo_data()

    assurance = User.objects.get(username="assurance")
    people = list(Person.objects.all())
    assert {person.created_by for person in people} == {assurance}
    created = LogEntry.objects.filter(action=LogEntry.Action.CREATE, content_type__model="person")
    assert created.count() == Person.objects.count()
    assert {entry.actor for entry in created} == {assurance}


@override_settings(PRODUCTION=True)
def test_demo_data_refuses_to_run_in_production():
    with pytest.raises(CommandError, match="never load them in production"):
        call_command("demo_data", stdout=StringIO())

    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    assert not Person.objects.exists()
