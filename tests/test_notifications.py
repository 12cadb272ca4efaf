"""Who is told what (issue 13, point 2), with a link and a reference only, and "Your notifications",
where each person reads what they were told. (The Monitoring Officer and deputies on a new appeal:
tests/test_appeal_deciders.py; Legal Services on a referral awaiting advice:
tests/test_referral_legal_advice.py; the record owner when a review is due:
tests/test_review_reminders.py.)"""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from correspondence import services as letters
from panel import services as panel
from panel.models import Seat
from panel.notifications import meetings_week_ahead_notify
from referrals.models import ReferralStatus
from ubpanel.models import Notification
from ubpanel.outbox import notify
from ubpanel.roles import Role

from .factories import (
    AgendaItemFactory,
    MeetingFactory,
    PersonFactory,
    SeatMemberFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import deputy_for, seat_holders

pytestmark = pytest.mark.django_db

NAME = {"given_names": "Philippa", "family_name": "Quenby"}


def _no_personal_data(rows):
    for row in rows:
        text = row.subject + row.body
        assert NAME["given_names"] not in text
        assert NAME["family_name"] not in text


def _told(kind):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def assurance(make_user):
    return make_user(Role.ASSURANCE_OFFICER)


def test_an_invitee_is_told_of_the_meeting_and_its_date(
    assurance, django_capture_on_commit_callbacks
):
    starts = timezone.make_aware(datetime(2026, 12, 8, 10, 0))
    item = AgendaItemFactory(
        meeting=MeetingFactory(starts_at=starts),
        referral__person__given_names=NAME["given_names"],
        referral__person__family_name=NAME["family_name"],
    )
    presenter = UserFactory(roles=[Role.REFERRING_MANAGER])

    with django_capture_on_commit_callbacks(execute=True):
        panel.invitee_add(actor=assurance, item=item, user=presenter, role="operations_manager")

    [row] = _told("panel-invitation")
    assert row.user == presenter
    assert "8 December 2026" in row.subject
    assert item.meeting.reference in row.subject
    assert row.link.endswith(reverse("panel:item_detail", args=[item.pk]))
    _no_personal_data([row])
    assert [m.to for m in mail.outbox] == [[presenter.email]]


def test_members_are_told_once_when_a_meetings_papers_are_published(assurance):
    holders = seat_holders()
    deputy = deputy_for(Seat.EQUALITY)
    SeatMemberFactory(seat=Seat.COMPLAINTS, is_deputy=True, user=UserFactory(is_active=False))
    SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory(**NAME))

    meeting = panel.meeting_schedule(
        actor=assurance,
        kind="monthly",
        format="virtual",
        starts_at=timezone.now() + timedelta(days=20),
    )
    SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory())
    panel.agenda_fill_next_meeting(actor=assurance)

    assert meeting.items.count() == 2
    rows = _told("papers-published")
    assert sorted(row.user_id for row in rows) == sorted(
        [u.pk for u in holders.values()] + [deputy.pk]
    )
    assert {row.reference for row in rows} == {meeting.reference}
    _no_personal_data(rows)


def test_a_meeting_with_nothing_on_its_agenda_publishes_nothing(assurance):
    seat_holders()
    panel.meeting_schedule(
        actor=assurance,
        kind="monthly",
        format="virtual",
        starts_at=timezone.now() + timedelta(days=20),
    )

    assert _told("papers-published") == []


def test_members_are_reminded_a_week_ahead_once_per_meeting():
    holders = seat_holders()
    today = timezone.localdate()
    soon = MeetingFactory(starts_at=timezone.now() + timedelta(days=6))
    MeetingFactory(starts_at=timezone.now() + timedelta(days=12))  # not yet

    assert meetings_week_ahead_notify(today=today) == len(holders)
    late_deputy = deputy_for(Seat.HEALTH_AND_SAFETY)
    assert meetings_week_ahead_notify(today=today) == 1  # only the deputy who joined since

    rows = _told("meeting-week-ahead")
    assert {row.reference for row in rows} == {soon.reference}
    assert sorted(row.user_id for row in rows) == sorted(
        [u.pk for u in holders.values()] + [late_deputy.pk]
    )


def test_legal_services_are_told_of_a_high_risk_letter_drafted_for_them(
    assurance, make_user, settings, django_capture_on_commit_callbacks
):
    lawyer = make_user(Role.LEGAL_SERVICES)
    person = PersonFactory(**NAME)

    with django_capture_on_commit_callbacks(execute=True):
        letter = letters.letter_draft(actor=assurance, kind="high", person=person)

    rows = _told("letter-to-send")
    assert [(row.user, row.address) for row in rows] == [
        (lawyer, lawyer.email),
        (None, settings.LEGAL_SERVICES_EMAIL),
    ]
    assert {row.reference for row in rows} == {letter.reference}
    _no_personal_data(rows)
    assert len(mail.outbox) == 2


def test_a_letter_legal_services_draft_themselves_tells_nobody(make_user):
    lawyer = make_user(Role.LEGAL_SERVICES)

    letters.letter_draft(actor=lawyer, kind="high", person=PersonFactory())

    assert _told("letter-to-send") == []


# --- Your notifications ----------------------------------------------------------------------


def _page(client, **params):
    return client.get(reverse("notification_list"), params)


def test_each_person_sees_only_their_own_newest_first(client, make_user, audit_entries):
    me, someone_else = make_user(), make_user()
    for n in range(3):
        notify(
            kind="test",
            subject=f"Mine {n}",
            body="B",
            link=f"http://x.test/{n}/",
            reference=f"REF-{n}",
            users=[me],
        )
    notify(kind="test", subject="Theirs", body="B", users=[someone_else])
    notify(kind="test", subject="The team's", body="B", addresses=["team@council.example"])
    client.force_login(me)

    response = _page(client)

    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Mine 2") < text.index("Mine 1") < text.index("Mine 0")
    assert "http://x.test/1/" in text
    assert "REF-1" in text
    assert "Theirs" not in text
    assert "The team&#x27;s" not in text
    [entry] = audit_entries(event="list", content_type__model="notification")
    assert entry.actor == me
    assert entry.additional_data["shown"] == 3


def test_the_list_is_paginated_with_a_constant_number_of_queries(
    client, make_user, django_assert_max_num_queries
):
    me = make_user()
    client.force_login(me)
    notify(kind="test", subject="First", body="B", users=[me])
    with django_assert_max_num_queries(20) as few:
        _page(client)
    for n in range(30):
        notify(kind="test", subject=f"More {n}", body="B", users=[me])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = _page(client, page=2)

    assert "Page 2 of 2" in response.content.decode()


def test_someone_never_told_anything_is_told_so(client, make_user):
    client.force_login(make_user())

    assert "You have no notifications" in _page(client).content.decode()


def test_the_header_links_to_your_notifications(client, make_user):
    client.force_login(make_user())

    assert reverse("notification_list").encode() in client.get(reverse("home")).content
