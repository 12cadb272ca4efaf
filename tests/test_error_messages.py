"""Error messages name their field in GOV.UK words, once each in the summary; a question label
reads as a statement; a proposal saved with blockers says what still blocks the vote; the triage
page stays well-formed when recording who it is about fails (issue 15, point 5)."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from panel.models import ItemKind, Outcome, Seat
from referrals.models import ReferralStatus
from ubpanel.form_errors import label_as_object
from ubpanel.forms import GovukForm

from .factories import AgendaItemFactory, PersonFactory, SubmittedReferralFactory
from .panel_setup import open_meeting, seat_holders
from .test_triage import MailboxDraftFactory

pytestmark = pytest.mark.django_db


class _Example(GovukForm):
    reason = forms.CharField(label="Reason")
    tier = forms.ChoiceField(label="Risk tier", choices=[("low", "Low"), ("high", "High")])
    kind = forms.ChoiceField(label="Kind", choices=[("", "---------"), ("a", "A")])
    question = forms.CharField(label="What do you need to know?")
    why = forms.CharField(label="Why is the access needed?")
    upload = forms.FileField(label="Evidence")
    own = forms.CharField(label="Name", error_messages={"required": "Enter the individual's name"})

    def clean(self):
        self.add_error("reason", "Enter reason")  # the same message again for the same field
        return super().clean()


def _summary_links(html: str) -> list[tuple[str, str]]:
    parser = _SummaryParser()
    parser.feed(html)
    return parser.links


class _SummaryParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._in_summary, self._href = [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "govuk-error-summary__list" in (attrs.get("class") or ""):
            self._in_summary = 1
        if self._in_summary and tag == "a":
            self._href = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_summary = 0

    def handle_data(self, data):
        if self._href:
            self.links.append((self._href, data))
            self._href = None


def test_every_required_field_names_itself_in_gov_uk_words():
    form = _Example(data={})

    errors = {name: list(messages) for name, messages in form.errors.items()}
    assert errors == {
        "reason": ["Enter reason", "Enter reason"],  # the second from clean()
        "tier": ["Select risk tier"],
        "kind": ["Select kind"],
        "question": ["Enter what you need to know"],
        "why": ["Enter your answer to ‘Why is the access needed?’"],
        "upload": ["Choose evidence"],
        "own": ["Enter the individual's name"],
    }
    assert "This field is required." not in str(form.errors)


def test_the_error_summary_lists_each_error_once_linking_to_its_field():
    form = _Example(data={})
    form.is_valid()

    links = _summary_links(render_to_string("includes/_error_summary.html", {"form": form}))

    assert links == [
        ("#id_reason", "Enter reason"),
        ("#id_tier", "Select risk tier"),
        ("#id_kind", "Select kind"),
        ("#id_question", "Enter what you need to know"),
        ("#id_why", "Enter your answer to ‘Why is the access needed?’"),
        ("#id_upload", "Choose evidence"),
        ("#id_own", "Enter the individual's name"),
    ]


def test_djangos_dashes_become_words_in_a_list_and_none_on_radios():
    class Choices(GovukForm):
        kind = forms.ChoiceField(label="Kind", choices=[("", "---------"), ("a", "A")])
        radio = forms.ChoiceField(
            label="Tier", choices=[("", "---------"), ("a", "A")], widget=forms.RadioSelect
        )

    html = str(Choices())

    assert "---------" not in html
    assert "Choose kind" in html
    assert ">None<" in html


@pytest.mark.parametrize(
    ("label", "said"),
    [
        ("What do you need to know?", "what you need to know"),
        ("Which seat are you sitting in?", "which seat you are sitting in"),
        ("NHS number", "NHS number"),
        ("The reason", "the reason"),
    ],
)
def test_a_label_reads_naturally_inside_an_instruction(label, said):
    assert label_as_object(label) == said


def test_asking_the_referrer_with_nothing_typed_says_enter_what_you_need_to_know(
    assurance_client,
):
    referral = SubmittedReferralFactory()

    response = assurance_client.post(
        reverse("referrals:triage_action", args=[referral.pk, "request-information"]), {}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter what you need to know" in html
    assert "Enter what do you need to know?" not in html
    assert html.count("Enter what you need to know") == 2  # the summary and beside the field


class _WellFormed(HTMLParser):
    """Every element closed in order, and no tag written inside another's attributes."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__()
        self.stack, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        for name, _ in attrs:
            if not name.replace("-", "").replace(":", "").replace("_", "").isalnum():
                self.problems.append(f"{tag} has an attribute named {name!r} at {self.getpos()}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1:]}> at {self.getpos()}")
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag) :]


def test_the_triage_page_is_well_formed_when_recording_who_it_is_about_fails(assurance_client):
    referral = MailboxDraftFactory(subject_given_names="", subject_family_name="")

    response = assurance_client.post(
        reverse("referrals:subject_edit", args=[referral.pk]),
        {"subject-subject_postcode": "DT1 1AA"},
    )

    html = response.content.decode()
    parser = _WellFormed()
    parser.feed(html)
    parser.close()
    assert response.status_code == 400
    assert (parser.problems, parser.stack) == ([], [])
    assert html.count('class="govuk-error-summary"') == 1
    summary = html.index("govuk-error-summary")
    assert html.index('<main class="govuk-main-wrapper"') < summary < html.index("<h1")
    assert _summary_links(html) == [
        ("#id_subject-subject_family_name", "Enter the individual's name")
    ]


def test_a_proposal_saved_with_blockers_says_saved_and_what_blocks_the_vote():
    holders = seat_holders()
    meeting = open_meeting(holders)
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )
    item = AgendaItemFactory(meeting=meeting, referral=referral, kind=ItemKind.NEW_REFERRAL)
    client = Client()
    client.force_login(holders[Seat.CHAIR])

    response = client.post(
        reverse("panel:proposal", args=[item.pk]),
        {"outcome": Outcome.ADD_TO_SCHEDULE, "reasons": "Threats."},
        follow=True,
    )

    html = response.content.decode()
    assert "Saved. Before it can go to the vote:" in html
    assert "Say at which tier: low, medium or high." in html
    assert "The proposal is recorded" not in html
    assert ">Success<" not in html
