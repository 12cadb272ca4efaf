"""With NOTIFY_ON_REMOVAL on, every way off the schedule is told by a removal letter (issue 14,
point 5): a panel decision (Remove, Not ratified), an appeal upheld by the Monitoring Officer, an
overdue review removed by its default, and an emergency addition ended by its default when not
ratified in time.

Each removal records in the entry's removal event, as it happens, whether the individual is told
(``schedule.removal``); one rule (``removals_waiting_for_letters``) lists those waiting for their
letter, by how they were removed. With the setting off nothing goes and the letters are refused,
and a removal recorded while it was off never waits for a letter when it is turned on later."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from correspondence import services as letters
from correspondence.models import Letter, LetterKind, LetterStatus
from correspondence.selectors import (
    decisions_waiting_for_letters,
    removals_waiting_for_letters,
    waiting_letter_work,
)
from panel.models import ItemKind, Outcome
from panel.models.decisions import REMOVAL_NOT_COMMUNICATED
from panel.removal import ICO_GUIDANCE as PANEL_ICO
from panel.removal import not_told_hint as panel_hint
from referrals.models import Adjustment, AdjustmentNeed, AdjustmentSource, PersonAddress
from schedule import removal
from schedule import services as schedule_services
from schedule.removal import RemovedBy
from ubpanel.entry_status import EntryStatus
from ubpanel.models import Notification
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    AgendaItemFactory,
    AppealFactory,
    EntryFactory,
    LetterFactory,
    UserFactory,
)
from .panel_setup import carry, open_meeting, seat_holders

pytestmark = pytest.mark.django_db

NOTIFY_ON = override_settings(NOTIFY_ON_REMOVAL=True)
NOTIFY_OFF = override_settings(NOTIFY_ON_REMOVAL=False)
PATHS = [
    "panel_remove",
    "panel_not_ratify",
    "appeal_upheld",
    "review_overdue",
    "emergency_unratified",
]
REMOVED_BY = {
    "panel_remove": RemovedBy.PANEL_DECISION,
    "panel_not_ratify": RemovedBy.PANEL_DECISION,
    "appeal_upheld": RemovedBy.APPEAL_UPHELD,
    "review_overdue": RemovedBy.REVIEW_OVERDUE,
    "emergency_unratified": RemovedBy.EMERGENCY_UNRATIFIED,
}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _addressed(entry):
    PersonAddress.objects.create(
        person=entry.person, address="2 North Square, Dorchester", postcode="DT1 1HZ"
    )
    return entry


def _by_the_panel(outcome):
    holders = seat_holders()
    meeting = open_meeting(holders)
    if outcome == Outcome.NOT_RATIFY:
        item = AgendaItemFactory(
            meeting=meeting, kind=ItemKind.RATIFICATION, referral=None, entry=EntryFactory()
        )
    else:
        item = AgendaItemFactory(
            meeting=meeting, kind=ItemKind.REVIEW, referral=None, entry=ActiveEntryFactory()
        )
    _addressed(item.entry)
    _, decision = carry(holders, item, outcome=outcome, reasons="No repeat in twelve months.")
    return item.entry, decision


def _by_appeal():
    appeal = AppealFactory()
    _addressed(appeal.entry)
    deciding = UserFactory(roles=[Role.MONITORING_OFFICER])
    schedule_services.appeal_decide(
        actor=deciding, appeal=appeal, upheld=True, reason="New evidence the panel did not see."
    )
    return appeal.entry, None


def _by_overdue_review():
    due = timezone.localdate() - timedelta(days=settings.REVIEW_GRACE_DAYS + 30)
    entry = _addressed(ActiveEntryFactory(review_due_on=due))
    with override_settings(REVIEW_OVERDUE_DEFAULT="remove"):
        assert schedule_services.reviews_escalate_overdue() == [entry]
    return entry, None


def _by_unratified_emergency():
    added = timezone.now() - timedelta(days=settings.EMERGENCY_RATIFICATION_LIMIT_DAYS + 10)
    entry = _addressed(EntryFactory(emergency_added_at=added))
    with override_settings(EMERGENCY_UNRATIFIED_DEFAULT="end"):
        assert schedule_services.emergencies_escalate_unratified() == [entry]
    return entry, None


def _remove(path):
    """Take an entry off the schedule the ``path`` way; its removal decision, if the panel's."""
    if path == "panel_remove":
        entry, decision = _by_the_panel(Outcome.REMOVE)
    elif path == "panel_not_ratify":
        entry, decision = _by_the_panel(Outcome.NOT_RATIFY)
    elif path == "appeal_upheld":
        entry, decision = _by_appeal()
    elif path == "review_overdue":
        entry, decision = _by_overdue_review()
    else:
        entry, decision = _by_unratified_emergency()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED
    return entry, decision


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


@pytest.fixture
def legal():
    return UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])


# --- With the setting on: one waiting removal letter, drafted, approved and sent -----------------


@pytest.mark.parametrize("path", PATHS)
def test_with_the_setting_on_each_removal_waits_for_one_letter_labelled_by_how(
    path, assurance, legal
):
    with NOTIFY_ON:
        entry, decision = _remove(path)
        owner = entry.record_owner

        for user in (owner, assurance):
            [waiting] = removals_waiting_for_letters(user)
            assert waiting == entry
            assert waiting.removal_told == REMOVED_BY[path]
            # Counted once on the work page, whichever list also names the decision.
            assert waiting_letter_work(user)["to_draft"] == 1
        assert list(removals_waiting_for_letters(legal)) == []
        assert list(removals_waiting_for_letters(UserFactory(roles=[Role.REFERRING_MANAGER]))) == []
        # A panel decision's removal is that decision's letter; the others have no decision.
        expected = [decision] if decision is not None else []
        assert list(decisions_waiting_for_letters(owner)) == expected

        page = _client(owner).get(reverse("correspondence:index")).content.decode()
    assert 'data-testid="removals-waiting"' in page
    assert f"{RemovedBy(REMOVED_BY[path]).label}. Removal letter from the record owner" in page
    draft_button = (
        f'data-testid="draft-{decision.pk}"'
        if decision
        else f'data-testid="draft-removal-{entry.pk}"'
    )
    assert draft_button in page
    assert page.count("Draft the letter") == 1


@NOTIFY_ON
@pytest.mark.parametrize("path", PATHS)
def test_with_the_setting_on_the_record_owner_drafts_approves_and_sends_it(
    path, django_capture_on_commit_callbacks
):
    entry, decision = _remove(path)
    owner = entry.record_owner
    client = _client(owner)
    notified_before = entry.notified_on  # an appealed entry was notified of the panel's decision

    response = client.post(reverse("correspondence:letter_for_removal", args=[entry.pk]))

    letter = Letter.objects.get(entry=entry)
    assert response.status_code == 302
    assert response["Location"] == reverse("correspondence:letter_edit", args=[letter.pk])
    assert letter.kind == LetterKind.REMOVAL
    assert letter.decision == decision
    assert letter.person == entry.person
    assert "no longer on the council's unreasonable behaviour schedule" in letter.logging_statement
    assert "normal contact arrangements apply" in letter.contact_restrictions
    assert (letter.incident_description, letter.review_or_appeal) == ("", "")
    assert not letter.has_questionnaire
    assert list(removals_waiting_for_letters(owner)) == []
    assert list(decisions_waiting_for_letters(owner)) == []
    assert waiting_letter_work(owner)["to_draft"] == 0
    # Asking again opens the letter drafted: there is one.
    again = client.post(reverse("correspondence:letter_for_removal", args=[entry.pk]))
    assert again["Location"] == reverse("correspondence:letter_detail", args=[letter.pk])
    with pytest.raises(letters.LetterError, match=letter.reference):
        letters.letter_draft_for_removal(actor=owner, entry=entry)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("correspondence:letter_approve", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.status == LetterStatus.APPROVED
    assert set(letter.pdfs.values_list("variant", flat=True)) == {"standard", "large_print"}
    client.post(reverse("correspondence:letter_send", args=[letter.pk]), {"method": "post"})

    letter.refresh_from_db()
    entry.refresh_from_db()
    assert letter.status == LetterStatus.SENT
    assert letter.appeal_deadline is None
    assert (entry.status, entry.notified_on) == (EntryStatus.REMOVED, notified_before)
    assert not entry.events.filter(kind="notified").exists()
    assert list(removals_waiting_for_letters(owner)) == []


@NOTIFY_ON
@pytest.mark.parametrize("path", ["appeal_upheld", "review_overdue"])
def test_the_removal_letter_is_made_easy_read_for_a_person_who_needs_it(
    path, django_capture_on_commit_callbacks
):
    entry, _ = _remove(path)
    Adjustment.objects.create(
        person=entry.person, need=AdjustmentNeed.DYSLEXIA, source=AdjustmentSource.PANEL
    )
    owner = entry.record_owner
    letter = letters.letter_draft_for_removal(actor=owner, entry=entry)

    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_approve(actor=owner, letter=letter)

    assert set(letter.pdfs.values_list("variant", flat=True)) == {
        "standard",
        "large_print",
        "easy_read",
    }


@NOTIFY_ON
@pytest.mark.parametrize("path", PATHS)
def test_the_removal_letter_is_never_cancelled_with_the_entrys_other_letters(path):
    entry, _ = _remove(path)
    owner = entry.record_owner
    letter = letters.letter_draft_for_removal(actor=owner, entry=entry)
    other = LetterFactory(person=entry.person, entry=entry, low_medium=True)

    cancelled = letters.letters_cancel_for_entry(actor=owner, entry=entry, reason="Removed.")

    assert [each.pk for each in cancelled] == [other.pk]
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


@NOTIFY_ON
def test_a_cancelled_removal_letter_leaves_the_removal_waiting_again():
    entry, _ = _remove("appeal_upheld")
    owner = entry.record_owner
    letter = letters.letter_draft_for_removal(actor=owner, entry=entry)
    letter.status = LetterStatus.CANCELLED
    letter.cancelled_by = owner
    letter.cancelled_at = timezone.now()
    letter.cancelled_reason = "Drafted to the wrong address."
    letter.save()

    assert list(removals_waiting_for_letters(owner)) == [entry]


@NOTIFY_ON
def test_others_cannot_draft_a_removal_letter_for_an_entry_not_theirs(legal, audit_entries):
    entry, _ = _remove("appeal_upheld")

    for user in (legal, UserFactory(roles=[Role.REFERRING_MANAGER])):
        response = _client(user).post(reverse("correspondence:letter_for_removal", args=[entry.pk]))
        assert response.status_code == 404
    assert not Letter.objects.exists()
    assert audit_entries(additional_data__event="denied")


@NOTIFY_ON
def test_a_removal_letter_needs_the_post_and_the_csrf_token():
    entry, _ = _remove("review_overdue")
    url = reverse("correspondence:letter_for_removal", args=[entry.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(entry.record_owner)

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not Letter.objects.exists()


# --- With the setting off: nothing waits, every letter is refused --------------------------------


@NOTIFY_OFF
@pytest.mark.parametrize("path", PATHS)
def test_with_the_setting_off_no_removal_waits_and_letters_are_refused(path, assurance):
    entry, decision = _remove(path)
    owner = entry.record_owner

    assert list(removals_waiting_for_letters(owner)) == []
    assert list(removals_waiting_for_letters(assurance)) == []
    assert list(decisions_waiting_for_letters(owner)) == []
    for kind in LetterKind.values:
        with pytest.raises(letters.LetterError, match="removed from the schedule"):
            letters.letter_draft(actor=assurance, kind=kind, person=entry.person, entry=entry)
    with pytest.raises(letters.LetterError, match="never communicated"):
        letters.letter_draft_for_removal(actor=owner, entry=entry)
    response = _client(owner).post(
        reverse("correspondence:letter_for_removal", args=[entry.pk]), follow=True
    )
    assert "never communicated to the individual" in response.content.decode()
    assert 'data-testid="removals-waiting"' not in response.content.decode()
    assert not Letter.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_removal_recorded_while_off_does_not_wait_when_the_setting_comes_on(path, assurance):
    with NOTIFY_OFF:
        entry, _ = _remove(path)
    owner = entry.record_owner

    with NOTIFY_ON:
        assert list(removals_waiting_for_letters(owner)) == []
        assert list(removals_waiting_for_letters(assurance)) == []
        assert list(decisions_waiting_for_letters(owner)) == []
        with pytest.raises(letters.LetterError, match="removed while NOTIFY_ON_REMOVAL was off"):
            letters.letter_draft_for_removal(actor=owner, entry=entry)
        with pytest.raises(letters.LetterError, match="removed while NOTIFY_ON_REMOVAL was off"):
            letters.letter_draft(
                actor=assurance, kind=LetterKind.REMOVAL, person=entry.person, entry=entry
            )
    assert not Letter.objects.exists()


# --- Recorded as it happens, and said where it is decided or shown -------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_the_removal_event_records_whether_the_individual_is_told(path):
    with NOTIFY_ON:
        told, _ = _remove(path)
    with NOTIFY_OFF:
        not_told, _ = _remove(path)

    told_event = told.events.get(to_status=EntryStatus.REMOVED)
    not_told_event = not_told.events.get(to_status=EntryStatus.REMOVED)
    assert told_event.message.endswith(removal.told_note(REMOVED_BY[path]))
    assert not_told_event.message.endswith(removal.NOT_TOLD_NOTE)
    assert removal.entry_removal_told(told) == REMOVED_BY[path]
    assert removal.entry_removal_told(not_told) == ""


def test_a_reason_typed_to_look_like_the_note_is_still_closed_by_what_was_recorded():
    entry = ActiveEntryFactory()
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    typed = removal.told_note(RemovedBy.PANEL_DECISION)

    with NOTIFY_OFF:
        schedule_services.entry_remove(actor=chair, entry=entry, reason=typed)

    with NOTIFY_ON:
        assert removal.entry_removal_told(entry) == ""
        assert list(removals_waiting_for_letters(entry.record_owner)) == []


def test_a_removal_must_say_how_it_came_about():
    from schedule.services._common import entry_move

    entry = ActiveEntryFactory()
    with pytest.raises(TypeError, match="removed_by"):
        entry_move(
            entry, actor=None, service="entry_remove", to=EntryStatus.REMOVED, kind="removed"
        )


@pytest.mark.parametrize("path", PATHS)
def test_the_entry_page_says_beside_the_removal_whether_the_individual_is_told(path):
    with NOTIFY_ON:
        told, _ = _remove(path)
    with NOTIFY_OFF:
        not_told, _ = _remove(path)
    client = _client(UserFactory(roles=[Role.ASSURANCE_OFFICER]))

    told_page = client.get(reverse("schedule:entry_detail", args=[told.pk])).content.decode()
    not_told_page = client.get(
        reverse("schedule:entry_detail", args=[not_told.pk])
    ).content.decode()

    assert told_page.count('data-testid="removal-told"') == 1
    assert "The individual is told: the record owner sends a removal letter" in told_page
    assert RemovedBy(REMOVED_BY[path]).label.lower() in told_page
    assert not_told_page.count('data-testid="removal-told"') == 1
    assert "The individual is not told of the removal" in not_told_page
    assert REMOVAL_NOT_COMMUNICATED in not_told_page
    assert "guidance on warning markers is to tell people" in not_told_page


def test_the_escalation_notices_say_whether_the_individual_is_told():
    UserFactory(username="chair", email="chair@council.example", roles=[Role.PANEL_CHAIR])
    with NOTIFY_ON:
        told = [_remove(path)[0] for path in ("review_overdue", "emergency_unratified")]
    with NOTIFY_OFF:
        untold = [_remove(path)[0] for path in ("review_overdue", "emergency_unratified")]

    def said(entry) -> set[str]:
        return set(
            Notification.objects.filter(reference=entry.reference).values_list("body", flat=True)
        )

    for entry in told:
        [body] = said(entry)
        assert removal.told_words() not in body  # said as it was when removed, not now
        assert "will be told by a removal letter from the record owner" in body
    for entry in untold:
        [body] = said(entry)
        assert "will not be told, and no letter can be sent" in body


def test_the_appeal_hint_and_the_panels_hint_use_the_same_words():
    from schedule.appeal_forms import AppealDecisionForm

    assert removal.PROTOCOL_SENTENCE == REMOVAL_NOT_COMMUNICATED
    assert PANEL_ICO == removal.ICO_GUIDANCE
    with NOTIFY_OFF:
        hint = AppealDecisionForm().fields["outcome"].choice_hints["upheld"]
        assert removal.told_words() in hint
        assert panel_hint() == removal.not_told_hint()
    with NOTIFY_ON:
        hint = AppealDecisionForm().fields["outcome"].choice_hints["upheld"]
        assert removal.told_words() in hint
        assert "waits on the Letters page for the record owner" in hint
        assert "will be told by a removal letter" in panel_hint()


@pytest.mark.parametrize("notify", [True, False])
def test_the_upheld_appeal_page_says_whether_the_individual_is_told(notify):
    appeal = AppealFactory()
    deciding = UserFactory(roles=[Role.MONITORING_OFFICER])
    client = _client(deciding)

    with override_settings(NOTIFY_ON_REMOVAL=notify):
        response = client.post(
            reverse("schedule:appeal_detail", args=[appeal.pk]),
            {"outcome": "upheld", "reason": "New evidence."},
            follow=True,
        )
    page = response.content.decode()

    if notify:
        assert "The individual is told: the removal letter waits on the Letters page" in page
        assert "they are told by a removal letter from the record owner" in page
    else:
        assert "removal is never communicated to them" in page
        assert "they are not told (the protocol)" in page


def test_the_panel_decision_and_the_entry_record_the_same_choice():
    with NOTIFY_ON:
        entry, decision = _remove("panel_remove")

    assert decision.removal_communication == "communicated"
    assert removal.entry_removal_told(entry) == RemovedBy.PANEL_DECISION
