"""An invitee (an Operations Manager presenting, a Legal Services adviser) reaches their panel item
from the home page."""

import pytest
from django.urls import reverse

from panel import services
from panel.models import Seat
from ubpanel.roles import Role

from .factories import AgendaItemFactory, UserFactory
from .panel_setup import open_meeting, seat_holders

pytestmark = pytest.mark.django_db


def test_an_invitee_finds_their_item_from_the_home_page(client):
    holders = seat_holders()
    item = AgendaItemFactory(meeting=open_meeting(holders))
    manager = UserFactory(username="presenter", roles=[Role.REFERRING_MANAGER])
    services.invitee_add(
        actor=holders[Seat.CHAIR], item=item, user=manager, role="operations_manager"
    )
    client.force_login(manager)

    response = client.get(reverse("home"))

    assert reverse("panel:item_detail", args=[item.pk]).encode() in response.content
