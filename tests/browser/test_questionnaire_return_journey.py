"""Journey: Gwen Ashdown's equalities questionnaire comes back; the Operations Manager records it
in the committee's categories and her own words, a wrong entry is put right on the same page, and
only those allowed special-category data (the chair) read the answers on the letter."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from correspondence.models import Letter, LetterStatus, QuestionnaireReturn
from ubpanel.demo import DEMO_PASSWORD, demo_data_load

from .conftest import sign_in
from .dates import fill_date

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def letter(transactional_db):
    demo_data_load()
    return Letter.objects.get(status=LetterStatus.SENT, person__family_name="Ashdown")


def test_the_manager_records_the_return_in_categories_and_the_chair_reads_them(
    letter, new_page, axe, screenshot
):
    manager = new_page()
    sign_in(manager, "manager", DEMO_PASSWORD)
    manager.goto(reverse("correspondence:letter_detail", args=[letter.pk]))
    manager.get_by_role("link", name="Record a returned questionnaire").click()

    fill_date(manager, "Date received", date(2026, 11, 20))
    sex = manager.get_by_role("group", name="Sex", exact=True)
    sex.get_by_label("Category").select_option(label="Female")
    religion = manager.get_by_role("group", name="Religion or belief", exact=True)
    religion.get_by_label("Category").select_option(label="Any other religion")
    religion.get_by_label("In their words (optional)").fill("Quaker")
    # A value the list does not hold (as an old bookmark or a tampered form would send).
    manager.locator("#id_category_age").evaluate(
        "select => { select.add(new Option('Ageless', 'ageless')); select.value = 'ageless'; }"
    )
    manager.get_by_role("button", name="Record the return").click()

    expect(manager.locator("#id_category_age-error")).to_contain_text(
        "Choose a category for age from the list"
    )
    expect(religion.get_by_label("In their words (optional)")).to_have_value("Quaker")
    expect(sex.get_by_label("Category")).to_have_value("female")
    axe(manager)
    screenshot(manager, "refused")

    manager.get_by_role("group", name="Age", exact=True).get_by_label("Category").select_option(
        label="45 to 54"
    )
    manager.get_by_role("button", name="Record the return").click()

    expect(manager.get_by_text("The questionnaire return is recorded.")).to_be_visible()
    expect(manager.get_by_text("Received 20 November 2026")).to_be_visible()
    expect(manager.get_by_test_id("questionnaire-answers")).to_have_count(0)
    returned = QuestionnaireReturn.objects.get(letter=letter)
    assert returned.categories == {"sex": "female", "religion": "other", "age": "45_54"}

    chair = new_page()
    sign_in(chair, "chair", DEMO_PASSWORD)
    chair.goto(reverse("correspondence:letter_detail", args=[letter.pk]))
    answers = chair.get_by_test_id("questionnaire-answers")
    expect(answers).to_contain_text("Female")
    expect(answers).to_contain_text("45 to 54")
    expect(answers).to_contain_text("In their words: Quaker")
    screenshot(chair, "answers")
