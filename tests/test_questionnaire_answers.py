"""Who sees a returned equalities questionnaire's answers (issue 12, point 8).

The answers are special-category data: they follow ``SPECIAL_CATEGORY_ROLES`` like all the rest
of it (README, "Letters" and "Decisions where the documents differ"). On the letter's page that is
whoever may open the letter and holds one of those roles.
"""

from datetime import date

import pytest
from django.conf import settings
from django.test import override_settings

from correspondence import services
from correspondence.selectors import ALL_LETTERS_ROLES, may_see_questionnaire_answers
from ubpanel.roles import Role

from .factories import UserFactory
from .test_letter_pages import _client, _url, letter, sent  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

DEFAULT_ROLES = {"assurance_officer", "panel_member", "panel_chair", "asc_representative"}


def test_the_default_is_assurance_the_panel_and_adult_social_care():
    assert set(settings.SPECIAL_CATEGORY_ROLES) == DEFAULT_ROLES


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_answers_only_if_it_may_see_special_category_data(role):
    user = UserFactory(roles=[role])

    assert may_see_questionnaire_answers(user) is (role in DEFAULT_ROLES)


def test_nobody_without_a_role_sees_them():
    assert may_see_questionnaire_answers(UserFactory(roles=[])) is False


@pytest.fixture
def returned(sent, letter):  # noqa: F811
    sent(letter)
    services.questionnaire_return_record(
        actor=letter.assurance,
        letter=letter,
        answers={"religion": "Quaker"},
        underlying_issue=True,
        previously_known=True,
        issue_details="Tinnitus, known already.",
        received_on=date(2026, 11, 20),
    )
    return letter


# Every role that opens any letter, and what it sees of the answers on the letter's page.
@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.ASSURANCE_OFFICER, True),
        (Role.PANEL_CHAIR, True),
        (Role.LEGAL_SERVICES, False),
        (Role.MONITORING_OFFICER, False),
    ],
)
def test_on_the_letters_page(returned, role, sees):
    assert role in ALL_LETTERS_ROLES
    page = _client(UserFactory(roles=[role])).get(_url("letter_detail", returned))

    assert page.status_code == 200
    assert (b"Quaker" in page.content) is sees
    assert (b"Tinnitus" in page.content) is sees
    assert b"Received 20 November 2026" in page.content


def test_the_operations_manager_who_sends_the_letter_does_not_see_them(returned):
    page = _client(returned.manager).get(_url("letter_detail", returned))

    assert page.status_code == 200
    assert b"Quaker" not in page.content


@override_settings(SPECIAL_CATEGORY_ROLES=["panel_member", "panel_chair", "asc_representative"])
def test_a_council_that_narrows_the_setting_narrows_the_answers_too(returned):
    page = _client(returned.assurance).get(_url("letter_detail", returned))

    assert page.status_code == 200
    assert b"Quaker" not in page.content
