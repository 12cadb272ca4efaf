"""Every text field has a length limit and refuses NUL, with a message naming the field; what was
typed is kept; letters wrap an unbroken word and render quickly (issue 12, point 4)."""

import importlib
import inspect
import shutil
import subprocess
import time

import pytest
from django import forms
from django.urls import reverse

from correspondence import services as letter_services
from correspondence.forms import LETTER_TEXT_MAX, LetterForm
from correspondence.models import PdfVariant
from correspondence.pdf import letter_pdf
from panel.models import AgendaItem, ItemKind, Seat
from ubpanel.forms import LONG_TEXT_MAX, SHORT_TEXT_MAX, GovukForm, GovukFormMixin
from ubpanel.models import User

from .test_letter_workflow import _decided, _manager_owning

FORM_MODULES = (
    "referrals.forms",
    "schedule.forms",
    "schedule.appeal_forms",
    "schedule.views.search",
    "panel.forms",
    "panel.item_forms",
    "correspondence.forms",
    "ubpanel.forms",
    "ubpanel.audit_filters",
)
# What some forms need to be made.
FORM_KWARGS = {
    "PersonChoiceForm": lambda: {"allow_new": True},
    "AttendanceForm": lambda: {"seat": Seat.CHAIR},
    "ProposalForm": lambda: {"item": AgendaItem(kind=ItemKind.NEW_REFERRAL)},
    "AccessRequestForm": lambda: {"user": User(username="someone")},
    "AppealRepresentativeForm": lambda: {"representatives": User.objects.none()},
}


def _every_form():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                yield cls


def _make(cls, data=None):
    kwargs = FORM_KWARGS.get(cls.__name__, dict)()
    if issubclass(cls, forms.BaseModelForm):
        kwargs["instance"] = cls._meta.model()
    return cls(data=data, **kwargs)


EVERY_FORM = sorted(set(_every_form()), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_every_form_renders_the_govuk_way_and_so_has_the_limits():
    assert [cls.__name__ for cls in EVERY_FORM if not issubclass(cls, GovukFormMixin)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("cls", EVERY_FORM, ids=lambda cls: cls.__name__)
def test_every_text_field_of_every_form_has_a_limit_and_refuses_nul(cls):
    form = _make(cls)
    text_fields = {n: f for n, f in form.fields.items() if isinstance(f, forms.CharField)}
    for name, field in text_fields.items():
        assert 0 < (field.max_length or 0) <= LONG_TEXT_MAX, name
    bound = _make(cls, {form.add_prefix(name): "x" * (LONG_TEXT_MAX + 1) for name in text_fields})
    bound.is_valid()
    for name in text_fields:
        assert any("characters or fewer" in error for error in bound.errors.get(name, [])), name


class NotesForm(GovukForm):
    title = forms.CharField(label="Title")
    notes = forms.CharField(label="Notes", widget=forms.Textarea)
    reference = forms.CharField(label="Reference", max_length=20)
    why = forms.CharField(label="Why is it needed?", widget=forms.Textarea)
    address = forms.CharField(label="Address", widget=forms.Textarea)

    max_lengths = {"address": 500}


def test_a_field_without_a_limit_gets_the_default_for_its_kind():
    fields = NotesForm().fields
    assert fields["title"].max_length == SHORT_TEXT_MAX == 200
    assert fields["notes"].max_length == LONG_TEXT_MAX == 10_000
    assert fields["reference"].max_length == 20
    assert fields["address"].max_length == 500


def test_the_message_names_the_field_in_the_govuk_way():
    form = NotesForm(
        {
            "title": "t" * 201,
            "notes": "n" * 10_001,
            "reference": "r" * 21,
            "why": "w" * 10_001,
            "address": "a" * 501,
        }
    )

    assert not form.is_valid()
    assert form.errors == {
        "title": ["Title must be 200 characters or fewer"],
        "notes": ["Notes must be 10,000 characters or fewer"],
        "reference": ["Reference must be 20 characters or fewer"],
        "why": ["Your answer to ‘Why is it needed?’ must be 10,000 characters or fewer"],
        "address": ["Address must be 500 characters or fewer"],
    }


def test_a_nul_is_refused_with_a_message_naming_the_field_and_the_text_is_kept():
    form = NotesForm({"title": "A title", "notes": "Before\x00after", "reference": "R1"})

    assert not form.is_valid()
    [message] = form.errors["notes"]
    assert message.startswith("Notes must not contain a null character")
    html = str(form["notes"])
    assert "Before" in html
    assert "after" in html


def test_a_label_changed_after_the_form_is_made_is_the_one_named():
    form = NotesForm({"title": "t" * 201, "notes": "n", "reference": "r"})
    form.fields["title"].label = "Heading"

    form.is_valid()

    assert form.errors["title"] == ["Heading must be 200 characters or fewer"]


def test_a_field_added_after_the_form_is_made_is_limited_too():
    form = NotesForm({"title": "t", "notes": "n", "reference": "r", "extra": "e\x00"})
    form.fields["extra"] = forms.CharField(label="Extra", max_length=500)

    form.is_valid()

    assert form.errors["extra"][0].startswith("Extra must not contain a null character")


def test_the_rendered_input_has_no_maxlength_added_so_a_paste_is_never_cut_silently():
    assert "maxlength" not in str(NotesForm()["notes"])


# --- Letters ------------------------------------------------------------------------------------


@pytest.fixture
def letter(db):
    from ubpanel.roles import Role

    from .factories import UserFactory

    item = _decided()
    _manager_owning(item)
    assurance = UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])
    letter = letter_services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    letter.assurance = assurance
    return letter


def test_each_part_of_a_letter_is_limited_and_nothing_is_stored_past_it(client, letter):
    client.force_login(letter.assurance)
    data = {name: getattr(letter, name) for name in LetterForm(instance=letter).fields}
    data["why_unreasonable"] = "w" * (LETTER_TEXT_MAX + 1)
    data["closing"] = "Typed before the mistake."

    response = client.post(reverse("correspondence:letter_edit", args=[letter.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Why the behaviour is unreasonable must be 2,000 characters or fewer" in html
    assert "Typed before the mistake." in html
    letter.refresh_from_db()
    assert letter.version == 1
    assert len(letter.why_unreasonable) < LETTER_TEXT_MAX


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
@pytest.mark.parametrize("variant", [PdfVariant.STANDARD, PdfVariant.LARGE_PRINT])
def test_an_unbroken_300_character_word_wraps_and_is_all_in_the_pdf(letter, variant, tmp_path):
    word = "".join(chr(ord("a") + i % 26) for i in range(300))
    letter.why_unreasonable = word
    letter.recipient_name = "R" + word[:199]
    letter.save()

    text = _pdf_text(letter_pdf(letter, variant).pdf, tmp_path)

    joined = "".join(text.split())
    assert word in joined
    assert ("R" + word[:199]) in joined
    assert max(len(line) for line in text.splitlines()) < 120  # wrapped, not one long line


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_a_letter_with_every_part_full_renders_in_seconds(letter, tmp_path):
    for name in LetterForm(instance=letter).fields:
        field = letter._meta.get_field(name)
        if field.get_internal_type() == "TextField":
            setattr(letter, name, "u" * LETTER_TEXT_MAX)  # unbroken: the worst case to lay out
    letter.save()

    started = time.monotonic()
    pdf = letter_pdf(letter, PdfVariant.LARGE_PRINT).pdf
    elapsed = time.monotonic() - started

    assert elapsed < 30  # about 3 s here; a 100,000-character part took over five minutes
    # Every character is printed (the parts run over pages, so page numbers fall among them).
    assert _pdf_text(pdf, tmp_path).count("u") >= 10 * LETTER_TEXT_MAX
