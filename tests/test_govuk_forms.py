"""GOV.UK form rendering keeps a widget's own classes (widths) beside the design system's."""

from django import forms

from ubpanel.forms import GovukForm


class PostcodeForm(GovukForm):
    postcode = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))


def test_a_widgets_width_class_is_kept():
    html = str(PostcodeForm()["postcode"])
    assert 'class="govuk-input govuk-input--width-10"' in html


def test_an_error_adds_the_error_class_and_keeps_the_width():
    form = PostcodeForm(data={"postcode": ""})
    form.is_valid()
    html = str(form["postcode"])
    assert "govuk-input--width-10" in html
    assert "govuk-input--error" in html
