"""The meeting screen's background polls do not keep a session alive, and after sign-out they send
the whole page to sign-in."""

import time

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from panel.models import Seat

from .factories import AgendaItemFactory
from .panel_setup import open_meeting, seat_holders

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    holders = seat_holders()
    item = AgendaItemFactory(meeting=open_meeting(holders))
    item.chair = holders[Seat.CHAIR]
    return item


def test_a_poll_is_not_activity_but_opening_a_page_is(client, item):
    signed_in_at = time.time()
    with time_machine.travel(signed_in_at, tick=False):
        client.force_login(item.chair)
    # Two minutes on, past the step at which activity is written again.
    with time_machine.travel(signed_in_at + 120, tick=False):
        page = client.get(reverse("panel:item_detail", args=[item.pk]))
        poll = client.get(reverse("panel:item_live", args=[item.pk]), HTTP_HX_REQUEST="true")

    assert poll.status_code == 200
    assert settings.SESSION_COOKIE_NAME in page.cookies
    assert settings.SESSION_COOKIE_NAME not in poll.cookies


def test_a_poll_after_the_session_ends_sends_the_whole_page_to_sign_in(client, item):
    response = client.get(reverse("panel:item_live", args=[item.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")


def test_an_ordinary_request_after_sign_out_is_redirected_as_usual(client, item):
    response = client.get(reverse("panel:item_detail", args=[item.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
