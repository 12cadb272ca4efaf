"""Dates are typed in GOV.UK's day, month and year boxes: a partial or impossible date is refused
in words naming the field, and what was typed is shown again box by box."""

from datetime import date

import pytest
from django import forms

from ubpanel.forms import DATE_INPUT, GovukForm


class BirthForm(GovukForm):
    born_on = forms.DateField(label="Date of birth", required=False, widget=DATE_INPUT)


def typed(day="", month="", year=""):
    return {"born_on_day": day, "born_on_month": month, "born_on_year": year}


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (typed("3", "2", ""), "Date of birth must include a year"),
        (typed("", "2", "1980"), "Date of birth must include a day"),
        (typed("3", "", ""), "Date of birth must include a month and year"),
        (typed("31", "2", "1980"), "Date of birth must be a real date"),
        (typed("3", "13", "1980"), "Date of birth must be a real date"),
        (typed("x", "2", "1980"), "Date of birth must be a real date, in numbers"),
        (typed("3", "2", "80"), "Date of birth must include a year with 4 numbers, like 1980"),
    ],
)
def test_a_partial_or_impossible_date_is_refused_naming_the_field(boxes, message):
    form = BirthForm(boxes)
    assert form.errors["born_on"] == [message]


def test_a_whole_date_is_read_from_the_three_boxes():
    form = BirthForm(typed("3", "2", "1980"))
    assert form.is_valid()
    assert form.cleaned_data["born_on"] == date(1980, 2, 3)


def test_nothing_typed_is_no_date():
    form = BirthForm(typed())
    assert form.is_valid()
    assert form.cleaned_data["born_on"] is None


def test_one_iso_value_is_accepted_too():
    form = BirthForm({"born_on": "1980-02-03"})
    assert form.is_valid()
    assert form.cleaned_data["born_on"] == date(1980, 2, 3)


def test_the_boxes_are_in_a_fieldset_with_a_legend_and_take_numbers():
    html = str(BirthForm()["born_on"].as_field_group())
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert "<legend" in html
    assert "Date of birth" in html
    assert html.count('inputmode="numeric"') == 3
    for part in ("Day", "Month", "Year"):
        assert f">{part}</label>" in html
    assert 'type="date"' not in html


def test_what_was_typed_is_shown_again_with_the_error_beside_it():
    form = BirthForm(typed("31", "2", "1980"))
    form.is_valid()
    html = str(form["born_on"].as_field_group())
    assert 'id="id_born_on-error"' in html
    assert "Date of birth must be a real date" in html
    assert 'name="born_on_day" value="31"' in html
    assert 'name="born_on_month" value="2"' in html
    assert 'name="born_on_year" value="1980"' in html
    assert html.count("govuk-input--error") == 3


def test_a_saved_date_fills_the_boxes():
    html = str(BirthForm(initial={"born_on": date(1980, 2, 3)})["born_on"].as_field_group())
    assert 'name="born_on_day" value="3"' in html
    assert 'name="born_on_year" value="1980"' in html
