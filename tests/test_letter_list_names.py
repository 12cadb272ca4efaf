"""The Letters page names the individual each letter and waiting decision is about, to those who
may see that person, in a constant number of queries."""

import pytest
from django.test import Client
from django.urls import reverse

from correspondence import services
from ubpanel.roles import Role

from .factories import ServiceFactory, UserFactory
from .test_letter_workflow import _decided, _manager_owning

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


def _cell(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[page.index(">", start) + 1 : page.index("</td>", start)]


def test_assurance_see_who_each_letter_and_each_waiting_decision_is_about(assurance):
    drafted = _decided()
    letter = services.letter_draft_from_decision(actor=assurance, decision=drafted.decision)
    waiting = _decided()

    page = _client(assurance).get(reverse("correspondence:index")).content.decode()

    assert _cell(page, f"to-{letter.pk}") == str(letter.person)
    assert _cell(page, f"about-{waiting.decision.pk}") == str(waiting.referral.person)


def test_a_manager_who_may_not_see_the_person_sees_the_letter_but_not_the_name(assurance):
    item = _decided()
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    manager = _manager_owning(item)  # owns the entry, but their service never recorded the person
    manager.service = ServiceFactory(name="Libraries and Archives")
    manager.save()

    page = _client(manager).get(reverse("correspondence:index")).content.decode()

    assert "Not shown: you cannot see this person’s record" in _cell(page, f"to-{letter.pk}")
    assert str(letter.person) not in page


def test_the_page_audits_the_people_it_names(assurance, audit_entries):
    drafted = _decided()
    letter = services.letter_draft_from_decision(actor=assurance, decision=drafted.decision)
    waiting = _decided()

    _client(assurance).get(reverse("correspondence:index"))

    named = {pk for row in audit_entries(event="list") for pk in row.additional_data["people"]}
    assert named == {
        letter.person.pk,
        waiting.referral.person.pk,
    }


def test_naming_people_takes_the_same_number_of_queries_however_many_rows(
    assurance, django_assert_max_num_queries
):
    first = _decided()
    services.letter_draft_from_decision(actor=assurance, decision=first.decision)
    _decided()
    client = _client(assurance)
    client.get(reverse("correspondence:index"))
    with django_assert_max_num_queries(30) as before:
        client.get(reverse("correspondence:index"))

    for _ in range(3):
        more = _decided()
        services.letter_draft_from_decision(actor=assurance, decision=more.decision)
        _decided()

    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(reverse("correspondence:index")).content.decode()
    assert page.count("Not shown") == 0
