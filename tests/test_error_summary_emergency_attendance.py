"""The error summaries of the emergency addition and the attendance pages list each problem once,
each linking to something on the page, and what was typed stays in the form (issue 15)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from panel.models import Seat, SeatAttendance
from schedule.models import Entry

from .factories import MeetingFactory
from .panel_setup import deputy_for, open_meeting, seat_holders

pytestmark = pytest.mark.django_db

EMERGENCY = reverse("schedule:emergency_add")
C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


class _Page(HTMLParser):
    """The error summary's links (href, text) and every id on the page."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self._summary_depth, self._href = 0, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "div" and self._summary_depth:
            self._summary_depth += 1
        elif tag == "div" and "govuk-error-summary" in (attrs.get("class") or "").split():
            self._summary_depth = 1
        elif tag == "a" and self._summary_depth:
            self._href, self._text = attrs.get("href"), ""

    def handle_data(self, data):
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._text.strip()))
            self._href = None
        elif tag == "div" and self._summary_depth:
            self._summary_depth -= 1


def _assert_summary_is_sound(html: str) -> list[tuple[str, str]]:
    page = _Page(html)
    assert page.links, "the page shows no error summary"
    messages = [text for _, text in page.links]
    assert len(messages) == len(set(messages)), f"repeated in the summary: {messages}"
    for href, text in page.links:
        assert href.startswith("#"), f"{text!r} links to {href}"
        assert href[1:] in page.ids, f"{text!r} links to missing {href}"
    return page.links


def _management(total="1"):
    return {
        "incidents-TOTAL_FORMS": total,
        "incidents-INITIAL_FORMS": "0",
        "incidents-MIN_NUM_FORMS": "1",
        "incidents-MAX_NUM_FORMS": "20",
    }


def test_adding_with_nothing_filled_in_lists_each_problem_once_linking_to_its_field(
    chair_client,
):
    response = chair_client.post(EMERGENCY, {**_management(), "add": "1"})

    assert response.status_code == 400
    links = _assert_summary_is_sound(response.content.decode())
    assert ("#id_person", "Choose who this is, or record a new person") in links
    assert (
        "#id_incidents-0-occurred_on_0",
        "Incident 1: Enter the date, place and what happened for at least one incident",
    ) in links
    assert ("#id_guidance", "Say how staff should respond") in links
    assert not Entry.objects.exists()


def test_the_summary_follows_the_page_who_then_the_incidents_then_the_rest(chair_client):
    response = chair_client.post(
        EMERGENCY, {**_management(), "incidents-0-location": "The library", "add": "1"}
    )

    links = _Page(response.content.decode()).links
    anchors = [href for href, _ in links]
    assert (
        "#id_incidents-0-occurred_on_0",
        "Incident 1: Enter the date of the incident",
    ) in links
    assert anchors.index("#id_person") < anchors.index("#id_incidents-0-occurred_on_0")
    assert anchors.index("#id_incidents-0-occurred_on_0") < anchors.index("#id_reason")


def test_half_filled_answers_are_listed_once_and_what_was_typed_is_kept(chair_client):
    response = chair_client.post(
        EMERGENCY,
        {
            **_management("2"),
            "given_names": "Rory",
            "person": "new",
            "incidents-0-occurred_on_day": "31",
            "incidents-0-occurred_on_month": "2",
            "incidents-0-occurred_on_year": "2026",
            "incidents-0-location": "Civic Centre reception",
            "incidents-1-description": "Shouted at the cashier.",
            "reason": "Threats to staff.",
            "guidance": "Do not meet alone.",
            "add": "1",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    links = _assert_summary_is_sound(html)
    messages = [text for _, text in links]
    assert "Enter the new person's given names and family name" in messages
    assert any(m.startswith("Incident 1: ") for m in messages)
    assert "Incident 2: Enter where it happened" in messages
    for typed in (
        'value="Rory"',
        'value="31"',
        'value="Civic Centre reception"',
        "Shouted at the cashier.",
        "Threats to staff.",
        "Do not meet alone.",
    ):
        assert typed in html
    assert not Entry.objects.exists()


def test_a_missing_incident_count_is_named_in_the_summary_and_what_was_typed_is_kept(
    chair_client,
):
    response = chair_client.post(EMERGENCY, {"given_names": "Rory", "add": "1"})

    assert response.status_code == 400
    html = response.content.decode()
    links = _assert_summary_is_sound(html)
    assert any("ManagementForm data is missing" in text for _, text in links)
    assert 'value="Rory"' in html


def test_an_incident_count_of_nought_still_asks_for_one_incident(chair_client):
    response = chair_client.post(EMERGENCY, {**_management("0"), "add": "1"})

    assert response.status_code == 400
    links = _assert_summary_is_sound(response.content.decode())
    assert (
        "#id_incidents-0-occurred_on_0",
        "Incident 1: Enter the date, place and what happened for at least one incident",
    ) in links


def test_finding_matches_shows_no_error_summary(chair_client):
    response = chair_client.post(
        EMERGENCY, {**_management(), "given_names": "Rory", "family_name": "Blackmore", "find": "1"}
    )

    assert response.status_code == 200
    assert _Page(response.content.decode()).links == []


@pytest.fixture
def holders():
    return seat_holders()


def _attendance(meeting):
    return reverse("panel:attendance", args=[meeting.pk])


def test_recording_a_seat_with_no_choice_lists_the_problem_once_naming_the_seat(
    assurance_client, holders
):
    meeting = MeetingFactory()

    response = assurance_client.post(_attendance(meeting), {"seat": HS})

    assert response.status_code == 400
    links = _assert_summary_is_sound(response.content.decode())
    assert links == [(f"#id_{HS}-sitter", f"{Seat(HS).label}: Select who sits in this seat")]
    assert not SeatAttendance.objects.exists()


def test_a_refused_sitter_is_listed_once_and_the_choice_is_kept(assurance_client, holders):
    meeting = open_meeting(holders, join=(COMPLAINTS,))
    deputy = deputy_for(HS, COMPLAINTS + "-and-hs")
    SeatAttendance.objects.filter(meeting=meeting, seat=COMPLAINTS).update(user=deputy)

    response = assurance_client.post(_attendance(meeting), {"seat": HS, f"{HS}-sitter": deputy.pk})

    assert response.status_code == 400
    html = response.content.decode()
    [(href, text)] = _assert_summary_is_sound(html)
    assert href == f"#id_{HS}-sitter"
    assert text.startswith(f"{Seat(HS).label}: ")
    assert "sits in another seat at this meeting already" in text
    assert f'value="{deputy.pk}" selected' in html
