"""On a 320 px wide screen the audit trail and a meeting's agenda reflow: the page never scrolls
sideways (WCAG 1.4.10), the wide tables scroll inside their own labelled, focusable box, and the
pagination's current page is readable (WCAG 1.4.3, checked by axe)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgendaItemFactory, MeetingFactory, PersonFactory, UserFactory
from ubpanel import audit
from ubpanel.audit import Event
from ubpanel.roles import Role

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NARROW = {"width": 320, "height": 640}


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_audit_trail_and_the_agenda_reflow_at_320_pixels(page, screenshot, axe):
    chair = UserFactory(
        username="nina", first_name="Nina", last_name="Chair", roles=[Role.PANEL_CHAIR]
    )
    people = PersonFactory.create_batch(settings.AUDIT_PAGE_SIZE + 2)
    audit.record(Event.VIEW, objects=people, actor=chair)
    meeting = MeetingFactory()
    AgendaItemFactory.create_batch(2, meeting=meeting)

    page.set_viewport_size(NARROW)
    sign_in(page, "nina", PASSWORD)

    page.goto(reverse("audit_list"))
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("region", name="Audit entries, newest first")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Page 1 of \d+$"))).to_be_visible()
    assert _page_width(page) <= NARROW["width"]
    axe(page)
    screenshot(page, "audit-trail-320")

    page.goto(reverse("panel:meeting_detail", args=[meeting.pk]))
    expect(page.get_by_role("region", name="Agenda items in order")).to_be_visible()
    assert _page_width(page) <= NARROW["width"]
    axe(page)
    screenshot(page, "agenda-320")
