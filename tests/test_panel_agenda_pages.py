"""The agenda: its items in order, moving and withdrawing them, adding items, inviting people."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from panel.models import AgendaItem, Invitee, ItemStatus
from referrals.models import ReferralStatus
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    EntryFactory,
    MeetingFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import open_meeting, seat_holders

pytestmark = pytest.mark.django_db


def _detail(meeting):
    return reverse("panel:meeting_detail", args=[meeting.pk])


def _agenda(meeting, count=3):
    return [AgendaItemFactory(meeting=meeting, position=n + 1) for n in range(count)]


def _order(meeting):
    return list(meeting.items.order_by("position").values_list("pk", flat=True))


# --- The agenda page --------------------------------------------------------------------------


def test_the_panel_sees_the_agenda_in_order_with_names_and_invitees(panel_client):
    meeting = MeetingFactory()
    first, second = _agenda(meeting, 2)
    presenter = UserFactory(first_name="Olive", last_name="Manager")
    second.invitees.create(user=presenter, role="operations_manager")

    response = panel_client.get(_detail(meeting))

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [first.pk, second.pk]
    html = response.content.decode()
    assert escape(str(first.referral.person)) in html
    assert first.referral.reference in html
    assert "Olive Manager" in html
    # Members do not manage the agenda.
    assert "Move up" not in html
    assert "Add an item" not in html


def test_the_agenda_is_audited_with_the_people_it_names(panel_client, audit_entries):
    meeting = MeetingFactory()
    [item] = _agenda(meeting, 1)

    panel_client.get(_detail(meeting))

    # One row per item naming its individual ("who viewed this person" reads it), not a second
    # row per person saying the same (issue 16: it doubled the agenda's audit cost).
    listed = audit_entries(event="list", actor=panel_client.user)
    shown = {
        (entry.content_type.model, entry.object_pk): entry.additional_data.get("people")
        for entry in listed
    }
    assert shown == {("agendaitem", str(item.pk)): [item.referral.person.pk]}


def test_an_invitee_sees_only_their_own_item(manager_client):
    meeting = MeetingFactory()
    mine, other = _agenda(meeting, 2)
    mine.invitees.create(user=manager_client.user, role="operations_manager")

    response = manager_client.get(_detail(meeting))

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [mine.pk]
    html = response.content.decode()
    assert str(other.referral.person) not in html
    assert other.referral.reference not in html
    assert "You see only the items you are invited to" in html


@pytest.mark.parametrize("items", [1, 5])
def test_the_agenda_uses_a_constant_number_of_queries(
    assurance_client, items, django_assert_max_num_queries
):
    meeting = MeetingFactory()
    for item in _agenda(meeting, items):
        item.invitees.create(user=UserFactory(), role="operations_manager")
    ActiveEntryFactory()
    AgendaItemFactory(meeting=meeting, kind="review", referral=None, entry=ActiveEntryFactory())
    AgendaItemFactory(
        meeting=meeting,
        kind="access_request",
        referral=None,
        access_grant=AccessGrantFactory(status="requested", recertify_by=None),
    )

    with django_assert_max_num_queries(12):
        assert assurance_client.get(_detail(meeting)).status_code == 200


def test_assurance_see_move_and_withdraw_for_listed_items_only(assurance_client):
    meeting = MeetingFactory()
    first, second, decided = _agenda(meeting, 3)
    AgendaItem.objects.filter(pk=decided.pk).update(status=ItemStatus.DECIDED)

    html = assurance_client.get(_detail(meeting)).content.decode()

    assert reverse("panel:item_withdraw", args=[first.pk]) in html
    assert reverse("panel:item_withdraw", args=[decided.pk]) not in html
    assert html.count("Move up") == 1  # the second listed item only
    assert html.count("Move down") == 1  # the first only


# --- Moving items -----------------------------------------------------------------------------


def test_assurance_move_an_item_up(assurance_client, audit_entries):
    meeting = MeetingFactory()
    first, second, third = _agenda(meeting)

    response = assurance_client.post(
        reverse("panel:item_move", args=[third.pk]), {"direction": "up"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{_detail(meeting)}#item-{third.pk}"
    assert _order(meeting) == [first.pk, third.pk, second.pk]
    assert audit_entries(action=1, object_pk=str(third.pk))  # auditlog UPDATE


def test_the_chair_moves_an_item_down(chair_client):
    meeting = MeetingFactory()
    first, second, third = _agenda(meeting)

    chair_client.post(reverse("panel:item_move", args=[first.pk]), {"direction": "down"})

    assert _order(meeting) == [second.pk, first.pk, third.pk]


def test_a_member_cannot_move_items(panel_client):
    meeting = MeetingFactory()
    first, second, third = _agenda(meeting)

    response = panel_client.post(reverse("panel:item_move", args=[third.pk]), {"direction": "up"})

    assert response.status_code == 404
    assert _order(meeting) == [first.pk, second.pk, third.pk]


def test_moving_needs_a_post_and_csrf():
    meeting = MeetingFactory()
    first, second = _agenda(meeting, 2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=[Role.ASSURANCE_OFFICER]))
    url = reverse("panel:item_move", args=[second.pk])

    assert client.get(url).status_code == 405
    assert client.post(url, {"direction": "up"}).status_code == 403
    assert _order(meeting) == [first.pk, second.pk]


def test_moving_an_unknown_item_is_an_audited_404(assurance_client, audit_entries):
    response = assurance_client.post(reverse("panel:item_move", args=[99999]), {"direction": "up"})

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk="99999")


def test_items_on_a_closed_meeting_do_not_move(assurance_client):
    meeting = MeetingFactory(status="closed")
    first, second = _agenda(meeting, 2)

    response = assurance_client.post(
        reverse("panel:item_move", args=[second.pk]), {"direction": "up"}, follow=True
    )

    assert "The meeting is closed" in response.content.decode()
    assert _order(meeting) == [first.pk, second.pk]


# --- Withdrawing items ------------------------------------------------------------------------


def test_assurance_withdraw_an_item_with_a_reason(assurance_client, audit_entries):
    [item] = _agenda(MeetingFactory(), 1)
    url = reverse("panel:item_withdraw", args=[item.pk])

    confirm = assurance_client.get(url)
    assert confirm.status_code == 200
    assert "Withdraw the item" in confirm.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.LISTED  # the GET only asks

    response = assurance_client.post(url, {"reason": "The referrer asked to wait."})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.withdrawn_reason) == ("withdrawn", "The referrer asked to wait.")
    assert audit_entries(event="view", object_pk=str(item.pk))


def test_withdrawing_without_a_reason_shows_the_error_beside_the_field(assurance_client):
    [item] = _agenda(MeetingFactory(), 1)

    response = assurance_client.post(
        reverse("panel:item_withdraw", args=[item.pk]), {"reason": "  "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reason-error"' in html
    assert "Say why the item is withdrawn" in html
    item.refresh_from_db()
    assert item.status == ItemStatus.LISTED


def test_an_item_being_voted_on_cannot_be_withdrawn(assurance_client):
    [item] = _agenda(MeetingFactory(), 1)
    AgendaItem.objects.filter(pk=item.pk).update(status=ItemStatus.VOTING)

    response = assurance_client.post(
        reverse("panel:item_withdraw", args=[item.pk]), {"reason": "x"}, follow=True
    )

    assert "cannot be withdrawn" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.VOTING


def test_a_member_cannot_withdraw_items(panel_client):
    [item] = _agenda(MeetingFactory(), 1)

    assert panel_client.get(reverse("panel:item_withdraw", args=[item.pk])).status_code == 404


def test_withdrawing_needs_csrf():
    [item] = _agenda(MeetingFactory(), 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=[Role.ASSURANCE_OFFICER]))

    response = client.post(reverse("panel:item_withdraw", args=[item.pk]), {"reason": "x"})

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.LISTED


# --- Adding items -----------------------------------------------------------------------------


def test_assurance_add_a_referral_ready_for_panel_with_a_statement(assurance_client):
    meeting = MeetingFactory()
    referral = SubmittedReferralFactory(
        status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory()
    )

    response = assurance_client.post(
        reverse("panel:item_add", args=[meeting.pk]),
        {"kind": "new_referral", "referral": referral.pk, "statement": "Papers to follow."},
    )

    assert response.status_code == 302
    item = meeting.items.get()
    assert (item.kind, item.referral, item.statement) == (
        "new_referral",
        referral,
        "Papers to follow.",
    )


def test_assurance_add_a_review_of_an_active_entry(assurance_client):
    meeting = MeetingFactory()
    entry = ActiveEntryFactory()

    assurance_client.post(
        reverse("panel:item_add", args=[meeting.pk]), {"kind": "review", "entry": entry.pk}
    )

    assert meeting.items.get().entry == entry


def test_only_subjects_waiting_for_the_panel_are_offered(assurance_client, audit_entries):
    meeting = MeetingFactory()
    ready = SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory())
    submitted = SubmittedReferralFactory()
    listed = AgendaItemFactory(meeting=meeting)
    request = AccessGrantFactory(status="requested", recertify_by=None)
    approved = AccessGrantFactory()

    response = assurance_client.get(reverse("panel:item_add", args=[meeting.pk]))

    form = response.context["form"]
    referrals = [value for value, _ in form.fields["referral"].choices]
    assert str(ready.pk) in referrals
    assert str(submitted.pk) not in referrals
    assert str(listed.referral_id) not in referrals
    grants = [value for value, _ in form.fields["access_grant"].choices]
    assert str(request.pk) in grants
    assert str(approved.pk) not in grants
    assert audit_entries(event="list", object_pk=str(ready.pk))


def test_a_subject_that_is_not_offered_is_refused(assurance_client):
    meeting = MeetingFactory()
    submitted = SubmittedReferralFactory()

    response = assurance_client.post(
        reverse("panel:item_add", args=[meeting.pk]),
        {"kind": "new_referral", "referral": submitted.pk},
    )

    assert response.status_code == 400
    assert 'id="id_referral-error"' in response.content.decode()
    assert not meeting.items.exists()


def test_a_kind_without_its_subject_shows_the_error_beside_the_field_and_keeps_the_statement(
    assurance_client,
):
    meeting = MeetingFactory()

    response = assurance_client.post(
        reverse("panel:item_add", args=[meeting.pk]),
        {"kind": "ratification", "statement": "The chair added them last night."},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_entry-error"' in html
    assert "Choose the emergency addition to ratify" in html
    assert "The chair added them last night." in html
    assert not meeting.items.exists()


def test_the_service_refusal_is_shown_beside_the_entry(assurance_client):
    meeting = MeetingFactory()
    active = ActiveEntryFactory()  # not an emergency addition

    response = assurance_client.post(
        reverse("panel:item_add", args=[meeting.pk]),
        {"kind": "ratification", "entry": active.pk},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_entry-error"' in html
    assert "not an emergency addition awaiting ratification" in html


def test_a_closed_meeting_takes_no_more_items(assurance_client):
    meeting = MeetingFactory(status="closed")

    response = assurance_client.get(reverse("panel:item_add", args=[meeting.pk]), follow=True)

    assert "nothing more goes on its agenda" in response.content.decode()


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.REFERRING_MANAGER], ids=str)
def test_only_assurance_and_the_chair_add_items(role_client, role):
    meeting = MeetingFactory()
    entry = EntryFactory()

    response = role_client(role).post(
        reverse("panel:item_add", args=[meeting.pk]), {"kind": "ratification", "entry": entry.pk}
    )

    assert response.status_code == 404
    assert not meeting.items.exists()


def test_adding_an_item_needs_csrf():
    meeting = MeetingFactory()
    entry = EntryFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=[Role.ASSURANCE_OFFICER]))

    response = client.post(
        reverse("panel:item_add", args=[meeting.pk]), {"kind": "ratification", "entry": entry.pk}
    )

    assert response.status_code == 403
    assert not meeting.items.exists()


# --- Invitees ---------------------------------------------------------------------------------


def test_assurance_invite_the_operations_manager_who_then_sees_only_that_item(
    assurance_client, audit_entries
):
    meeting = MeetingFactory()
    mine, other = _agenda(meeting, 2)
    manager = UserFactory(roles=[Role.REFERRING_MANAGER], first_name="Olive", last_name="Om")

    response = assurance_client.post(
        reverse("panel:item_invitees", args=[mine.pk]),
        {"role": "operations_manager", "user": manager.pk},
    )

    assert response.status_code == 302
    invitee = Invitee.objects.get()
    assert (invitee.item, invitee.user, invitee.invited_by) == (
        mine,
        manager,
        assurance_client.user,
    )
    assert audit_entries(action=0, object_pk=str(invitee.pk))
    client = Client()
    client.force_login(manager)
    agenda = client.get(_detail(meeting))
    assert [item.pk for item in agenda.context["items"]] == [mine.pk]


def test_a_legal_adviser_must_be_from_legal_services(assurance_client):
    [item] = _agenda(MeetingFactory(), 1)
    manager = UserFactory(roles=[Role.REFERRING_MANAGER])

    response = assurance_client.post(
        reverse("panel:item_invitees", args=[item.pk]),
        {"role": "legal_adviser", "user": manager.pk},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_user-error"' in html
    assert "must be from Legal Services" in html
    assert f'value="{manager.pk}" selected' in html
    assert not Invitee.objects.exists()


def test_inviting_someone_twice_is_refused_beside_the_field(assurance_client):
    [item] = _agenda(MeetingFactory(), 1)
    lawyer = UserFactory(roles=[Role.LEGAL_SERVICES])
    item.invitees.create(user=lawyer, role="legal_adviser")

    response = assurance_client.post(
        reverse("panel:item_invitees", args=[item.pk]), {"role": "legal_adviser", "user": lawyer.pk}
    )

    assert response.status_code == 400
    assert "invited to this item already" in response.content.decode()


def test_assurance_remove_an_invitee(assurance_client):
    [item] = _agenda(MeetingFactory(), 1)
    invitee = item.invitees.create(user=UserFactory(), role="operations_manager")

    response = assurance_client.post(reverse("panel:invitee_remove", args=[invitee.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("panel:item_invitees", args=[item.pk])
    assert not Invitee.objects.exists()


def test_an_invitee_cannot_manage_invitations(manager_client):
    [item] = _agenda(MeetingFactory(), 1)
    invitee = item.invitees.create(user=manager_client.user, role="operations_manager")

    assert manager_client.get(reverse("panel:item_invitees", args=[item.pk])).status_code == 404
    assert (
        manager_client.post(reverse("panel:invitee_remove", args=[invitee.pk])).status_code == 404
    )
    assert Invitee.objects.exists()


def test_removing_an_unknown_invitee_is_an_audited_404(assurance_client, audit_entries):
    response = assurance_client.post(reverse("panel:invitee_remove", args=[4242]))

    assert response.status_code == 404
    assert audit_entries(event="denied", object_pk="4242")


def test_invitations_need_csrf():
    [item] = _agenda(MeetingFactory(), 1)
    invitee = item.invitees.create(user=UserFactory(), role="operations_manager")
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=[Role.ASSURANCE_OFFICER]))

    assert client.post(reverse("panel:invitee_remove", args=[invitee.pk])).status_code == 403
    response = client.post(
        reverse("panel:item_invitees", args=[item.pk]),
        {"role": "operations_manager", "user": UserFactory().pk},
    )
    assert response.status_code == 403
    assert Invitee.objects.count() == 1


def test_nobody_is_invited_to_a_decided_item(assurance_client):
    holders = seat_holders()
    meeting = open_meeting(holders)
    [item] = _agenda(meeting, 1)
    AgendaItem.objects.filter(pk=item.pk).update(status=ItemStatus.DECIDED)

    response = assurance_client.post(
        reverse("panel:item_invitees", args=[item.pk]),
        {"role": "operations_manager", "user": UserFactory().pk},
    )

    assert response.status_code == 200
    assert "nobody more can be invited" in response.content.decode()
    assert not Invitee.objects.exists()


@pytest.mark.parametrize("items", [1, 5])
def test_the_add_item_page_uses_a_constant_number_of_queries(assurance_client, items):
    meeting = MeetingFactory()
    counts = []
    for batch in range(2):
        for _ in range(items * (batch + 1)):
            SubmittedReferralFactory(status=ReferralStatus.READY_FOR_PANEL, person=PersonFactory())
            EntryFactory()
        with CaptureQueriesContext(connection) as queries:
            assurance_client.get(reverse("panel:item_add", args=[meeting.pk]))
        counts.append(len(queries))

    assert counts[0] == counts[1]
