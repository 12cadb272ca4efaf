"""Journey: an invitee opens "Your notifications" from the header and follows one to their item."""

import pytest
from playwright.sync_api import expect

from panel import services as panel
from tests.factories import AgendaItemFactory, UserFactory
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invitee_follows_their_notification_to_the_item(
    make_user, password, page, axe, screenshot, live_server, settings
):
    settings.SITE_URL = live_server.url
    item = AgendaItemFactory()
    presenter = make_user(Role.REFERRING_MANAGER, username="presenter")
    panel.invitee_add(
        actor=UserFactory(roles=[Role.ASSURANCE_OFFICER]),
        item=item,
        user=presenter,
        role="operations_manager",
    )
    sign_in(page, "presenter", password)

    page.get_by_role("link", name="Your notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your notifications")
    notification = page.get_by_test_id("notifications").get_by_role("link")
    expect(notification).to_contain_text(item.meeting.reference)
    axe(page)
    screenshot(page, "notifications")

    notification.click()
    expect(page).to_have_url(f"{live_server.url}/panel/items/{item.pk}/")
    assert page.console_errors == []
