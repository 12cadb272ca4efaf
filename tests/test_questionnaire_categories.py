"""Returned equalities questionnaires recorded in categories, so the committee can count them
(``correspondence.equalities``), beside the individual's own words. The categories are
special-category data like the words: shown to the same people, masked in the audit trail, blanked
by anonymisation, and given to the person in a subject access export."""

# The fixtures imported from other test files are redefined as parameters: that is how pytest
# uses them.
# ruff: noqa: F811

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from correspondence import services
from correspondence.models import QuestionnaireReturn

from .factories_retention import removed_case
from .subject_access_zip import export_json, members, stored_zip
from .test_letter_pages import _client, _url, letter, sent  # noqa: F401  (fixtures)
from .test_retention import REMOVED_AT, run
from .test_subject_access_export import made, quick_summary, record  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

FORM = {
    "received_on": "2026-11-20",
    "category_sex": "female",
    "category_age": "35_44",
    "category_religion": "other",
    "answer_religion": "Quaker",
    "category_race": "",
}


def _record(letter, **kwargs):
    return services.questionnaire_return_record(
        actor=letter.assurance,
        letter=letter,
        answers=kwargs.pop("answers", {}),
        underlying_issue=False,
        previously_known=False,
        issue_details="",
        received_on=date(2026, 11, 20),
        **kwargs,
    )


@pytest.fixture
def returned(sent, letter):
    sent(letter)
    _record(letter, answers={"religion": "Quaker"}, categories={"sex": "female", "age": "35_44"})
    return letter


def test_the_form_records_each_answered_category_and_their_words(sent, letter):
    sent(letter)

    response = _client(letter.assurance).post(_url("questionnaire_return", letter), FORM)

    assert response.status_code == 302
    returned = QuestionnaireReturn.objects.get()
    assert returned.categories == {"sex": "female", "age": "35_44", "religion": "other"}
    assert returned.answers == {"religion": "Quaker"}


def test_the_form_groups_each_characteristics_category_and_words(sent, letter):
    sent(letter)

    page = _client(letter.assurance).get(_url("questionnaire_return", letter)).content.decode()

    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Sex</legend>' in page
    assert '<option value="" selected>Not answered</option>' in page
    assert '<option value="prefer_not_to_say">Prefer not to say</option>' in page
    assert "In their words (optional)" in page


def test_a_category_not_in_the_list_is_refused_beside_its_field_and_the_words_are_kept(
    sent,
    letter,
):
    sent(letter)
    form = FORM | {"category_sex": "martian", "answer_sex": "I describe it myself"}

    response = _client(letter.assurance).post(_url("questionnaire_return", letter), form)

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<p id="id_category_sex-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> '
        "Choose a category for sex from the list</p>"
    ) in page
    assert 'value="I describe it myself"' in page
    assert 'value="Quaker"' in page
    assert '<option value="35_44" selected>35 to 44</option>' in page
    assert not QuestionnaireReturn.objects.exists()


def test_the_service_refuses_a_category_not_in_that_characteristics_list(sent, letter):
    sent(letter)

    # "other" is a religion's category, not a sex's.
    with pytest.raises(ValidationError) as refused:
        _record(letter, categories={"sex": "other"})

    assert refused.value.message_dict == {
        "category_sex": ["Choose a category for sex from the list"]
    }
    assert not QuestionnaireReturn.objects.exists()


def test_the_service_refuses_what_is_not_a_protected_characteristic(sent, letter):
    sent(letter)

    with pytest.raises(ValidationError, match="Not protected characteristics: star_sign"):
        _record(letter, categories={"star_sign": "leo"})


def test_only_the_characteristics_answered_are_kept(sent, letter):
    sent(letter)

    returned = _record(letter, categories={"sex": "prefer_not_to_say", "age": ""})

    assert returned.categories == {"sex": "prefer_not_to_say"}


def test_the_letter_page_shows_the_chair_the_labels_and_the_words(returned, chair_client):
    page = chair_client.get(_url("letter_detail", returned)).content.decode()

    assert '<dt class="govuk-summary-list__key">Sex</dt>' in page
    assert ">Female<" in page
    assert ">35 to 44<" in page
    assert "In their words: Quaker" in page


def test_the_referring_manager_sees_the_return_but_not_its_answers(returned):
    response = _client(returned.manager).get(_url("letter_detail", returned))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Received 20 November 2026" in page
    assert "Female" not in page
    assert "35 to 44" not in page
    assert "Quaker" not in page


def test_a_return_recorded_before_the_categories_shows_its_words_alone(
    sent,
    letter,
    chair_client,
):
    sent(letter)
    _record(letter, answers={"sexual_orientation": "Straight"})

    page = chair_client.get(_url("letter_detail", letter)).content.decode()

    assert "Sexual orientation</dt>" in page
    assert "In their words: Straight" in page


def test_the_audit_trail_records_that_the_categories_changed_not_what_they_are(returned):
    created = LogEntry.objects.get(
        content_type__model="questionnairereturn", action=LogEntry.Action.CREATE
    )

    assert "categories" in created.changes_dict
    assert "female" not in str(created.changes)
    assert "35_44" not in str(created.changes)


def test_anonymisation_blanks_the_categories():
    case = removed_case(REMOVED_AT)
    assert QuestionnaireReturn.objects.get(letter=case.letter).categories

    run()

    returned = QuestionnaireReturn.objects.get(letter=case.letter)
    assert returned.categories == {}
    assert returned.answers == {}


def test_the_subject_access_export_gives_the_categories_in_words(quick_summary, made):
    data = export_json(members(stored_zip(made())))

    [letter] = data["letters"]
    [returned] = letter["questionnaire_returns"]
    assert returned["categories"] == {"Disability": "Yes", "Sex": "Female"}
    assert returned["answers"] == {"disability": "yes"}
