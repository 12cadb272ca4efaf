"""The home page is each person's work page (issue 13, point 1): how many of each kind of work wait
for them, each linking to the page that lists them; only their own kinds; in a constant number of
queries however many rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from correspondence.models import Letter
from panel.models import (
    Ballot,
    Decision,
    DecisionStatus,
    Declaration,
    Invitee,
    InviteeRole,
    LetterRoute,
    Outcome,
    Seat,
    VotingRule,
)
from panel.selectors import waiting_panel_work
from referrals.models import EventKind, InboundEmail, Referral, ReferralEvent, ReferralStatus
from schedule.models import SingleAccessGrant
from tests.factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    AppealFactory,
    ApprovedLetterFactory,
    EntryFactory,
    LetterFactory,
    MeetingFactory,
    SentLetterFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from tests.panel_setup import MEMBERS, open_meeting, seat_holders
from ubpanel.roles import Role
from ubpanel.views import waiting_work


def build_waiting_work(n: int) -> dict:
    """``n`` of each kind of waiting work, and the people it waits for (keyed by who they are)."""
    today = timezone.localdate()
    holders = seat_holders()
    people = {
        "assurance": UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER]),
        "chair": holders[Seat.CHAIR],
        "member": holders[Seat.COMPLAINTS],
        "legal": UserFactory(username="legal", roles=[Role.LEGAL_SERVICES]),
        "manager": UserFactory(username="manager", roles=[Role.REFERRING_MANAGER]),
        "monitoring": UserFactory(username="monitoring", roles=[Role.MONITORING_OFFICER]),
        "frontline": UserFactory(username="frontline", roles=[Role.FRONTLINE]),
    }
    meeting = open_meeting(holders, join=MEMBERS[:4])
    eligible = [Seat.CHAIR, *MEMBERS[:4]]
    later = MeetingFactory()
    for i in range(n):
        # Referrals: to triage, answered, awaiting legal advice, a question for the manager.
        SubmittedReferralFactory()
        answered = SubmittedReferralFactory()
        for kind, to in (
            (EventKind.INFORMATION_REQUESTED, ReferralStatus.MORE_INFORMATION),
            (EventKind.INFORMATION_PROVIDED, ReferralStatus.SUBMITTED),
        ):
            ReferralEvent.objects.create(referral=answered, kind=kind, to_status=to)
        SubmittedReferralFactory(status=ReferralStatus.AWAITING_LEGAL_ADVICE)
        SubmittedReferralFactory(referrer=people["manager"], status=ReferralStatus.MORE_INFORMATION)
        InboundEmail.objects.create(
            message_id=f"<failed-{n}-{i}@mail.example>",
            status="failed",
            failure_reason="No body",
            subject=f"Unreadable email {i}",
        )
        # The schedule: reviews overdue and due, emergency additions, access, appeals.
        decided = today - timedelta(days=400)
        ActiveEntryFactory(decided_on=decided, review_due_on=today - timedelta(days=3))
        ActiveEntryFactory(decided_on=decided, review_due_on=today + timedelta(days=5))
        EntryFactory(decided_on=today, review_due_on=today + timedelta(days=365))
        AccessGrantFactory(status="requested", recertify_by=None)
        AccessGrantFactory(recertify_by=today + timedelta(days=10))
        SingleAccessGrant.objects.create(
            user=people["frontline"],
            kind="address",
            subject=f"{i} Quay Street",
            rationale="A repair visit.",
            ends_on=today + timedelta(days=5),
        )
        AppealFactory(entry__decided_on=decided, entry__review_due_on=today + timedelta(days=300))
        # The panel: a declaration for the chair to rule on, a proposal to vote on.
        Declaration.objects.create(
            item=AgendaItemFactory(meeting=meeting),
            user=holders[Seat.HEALTH_AND_SAFETY],
            interest="Knows the individual's family.",
        )
        Ballot.objects.create(
            item=AgendaItemFactory(meeting=meeting),
            number=1,
            motion="Add to the schedule at medium risk.",
            rule=VotingRule.MAJORITY_OF_ELIGIBLE,
            eligible_seats=eligible,
            opened_by=people["chair"],
        )
        # Letters: a decision waiting for its letter, drafts and approved letters, a sent letter.
        Decision.objects.create(
            item=AgendaItemFactory(meeting=later),
            status=DecisionStatus.FINAL,
            outcome=Outcome.ADD_TO_SCHEDULE,
            tier="medium",
            letter_route=LetterRoute.OPERATIONS_MANAGER,
            decided_on=today,
            decided_at=timezone.now(),
        )
        LetterFactory()
        ApprovedLetterFactory()
        LetterFactory(low_medium=True, created_by=people["manager"])
        SentLetterFactory()
    Invitee.objects.create(
        item=AgendaItemFactory(meeting=later), user=people["legal"], role=InviteeRole.LEGAL_ADVISER
    )
    return people


def expected(n: int) -> dict[str, dict[str, int]]:
    """Who sees which counts (only the kinds with something waiting)."""
    return {
        "assurance": {
            "triage": 4 * n,
            "answers": n,
            "failed_emails": n,
            "to_draft": n,
            "returns": n,
            "appeals": 0,
            "reviews_overdue": n,
            "reviews_due": n,
            "emergency": n,
        },
        "chair": {
            "rulings": n,
            "votes": n,
            "reviews_overdue": n,
            "reviews_due": n,
            "emergency": n,
            "access_requests": n,
            "single_access_requests": n,
            "recertifications": n,
        },
        "member": {"votes": n},
        "legal": {"legal_advice": n, "to_approve": n, "to_send": n},
        # The manager's service (Housing) referred the decided cases: theirs to write to.
        "manager": {"questions": n, "to_draft": n, "to_approve": n},
        "monitoring": {"appeals": n},
        "frontline": {},
    }


def counts(user) -> dict[str, int]:
    work, _ = waiting_work(user)
    return {w.kind: w.count for w in work}


@pytest.mark.django_db
def test_each_role_sees_the_counts_of_its_own_work_and_no_one_elses():
    people = build_waiting_work(3)
    for who, wanted in expected(3).items():
        assert counts(people[who]) == {k: v for k, v in wanted.items() if v}, who


@pytest.mark.django_db
def test_the_links_go_to_the_pages_listing_the_work(client):
    people = build_waiting_work(2)
    client.force_login(people["chair"])
    response = client.get("/")
    assert response.status_code == 200
    work = {w.kind: w for w in response.context["work"]}
    assert work["access_requests"].url == "/schedule/access/"
    assert work["reviews_overdue"].url == work["emergency"].url == "/schedule/reviews/"
    assert work["rulings"].url == work["votes"].url  # all at one meeting: its page
    assert "/panel/meetings/" in work["votes"].url
    assert 'data-testid="work-rulings"' in response.text
    for waiting in work.values():
        assert client.get(waiting.url).status_code == 200, waiting
    # The meeting page does not pick out the items: each is linked, and its page has the work.
    assert len(work["rulings"].items) == len(work["votes"].items) == 2
    for _, url in work["rulings"].items:
        assert "Rule on this" in client.get(url).text
    for _, url in work["votes"].items:
        assert "Add to the schedule at medium risk." in client.get(url).text


@pytest.mark.django_db
def test_the_counts_agree_with_the_pages_they_link_to(client):
    people = build_waiting_work(2)
    client.force_login(people["assurance"])
    triage = client.get("/referrals/triage/")
    assert len(triage.context["referrals"]) == counts(people["assurance"])["triage"]
    assert len(triage.context["failed_emails"]) == 2
    letters = client.get("/letters/")
    assert len(letters.context["waiting"]) == 2
    overview = client.get("/schedule/reviews/").context
    assert [len(overview[k]) for k in ("overdue", "due", "unratified")] == [2, 2, 2]
    client.force_login(people["legal"])
    assert len(client.get("/referrals/legal/").context["waiting"]) == 2
    client.force_login(people["monitoring"])
    appeals = client.get("/schedule/appeals/").context["page"].object_list
    assert sum(a.yours_to_decide for a in appeals) == 2


@pytest.mark.django_db
def test_one_item_links_to_the_item_itself():
    people = build_waiting_work(1)
    work = {w.kind: w for w in waiting_work(people["member"])[0]}
    assert work["votes"].url.startswith("/panel/items/")
    assert work["votes"].label == "proposal to vote on"


@pytest.mark.django_db
def test_nothing_waiting_says_so(client):
    build_waiting_work(1)
    client.force_login(UserFactory(username="frontline", roles=[Role.FRONTLINE]))
    response = client.get("/")
    assert 'data-testid="nothing-waiting"' in response.text
    assert "Nothing is waiting for you." in response.text


@pytest.mark.django_db
def test_an_invitation_is_shown_with_its_item(client):
    people = build_waiting_work(1)
    client.force_login(people["legal"])
    response = client.get("/")
    assert "Panel invitations (1)" in response.text
    assert 'data-testid="nothing-waiting"' not in response.text


@pytest.mark.django_db
def test_a_vote_already_cast_and_a_ruling_made_are_no_longer_waiting():
    people = build_waiting_work(1)
    ballot = Ballot.objects.get()
    ballot.votes.create(seat=Seat.COMPLAINTS, user=people["member"], choice="for")
    Declaration.objects.update(ruling="allowed")
    assert "votes" not in counts(people["member"])
    assert "rulings" not in counts(people["chair"])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["assurance", "chair"])
@pytest.mark.parametrize("rows", [2, 30])
def test_the_work_page_asks_a_constant_number_of_queries(
    client, django_assert_max_num_queries, who, rows
):
    people = build_waiting_work(rows)
    client.force_login(people[who])
    with django_assert_max_num_queries(24):
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["work"]) >= 7


@pytest.mark.django_db
def test_the_agenda_items_named_on_the_page_are_audited_and_counts_show_nobody(
    client, audit_entries
):
    people = build_waiting_work(2)
    client.force_login(people["chair"])
    client.get("/")
    listed = {e.object_pk for e in audit_entries(event="list", actor=people["chair"])}
    named = {
        str(pk)
        for kind in ("rulings", "votes")
        for pk in {o.item_id for o in getattr(waiting_panel_work(people["chair"]), kind)}
    }
    assert listed == named


@pytest.mark.django_db
def test_answers_and_letters_are_named_with_a_link_each_as_their_pages_list_more():
    people = build_waiting_work(2)
    answered = Referral.objects.filter(events__kind=EventKind.INFORMATION_PROVIDED)
    work = {w.kind: w for w in waiting_work(people["assurance"])[0]}
    assert work["answers"].url == "/referrals/triage/"
    assert {url for _, url in work["answers"].items} == {
        f"/referrals/triage/{r.pk}/" for r in answered
    }
    legal = {w.kind: w for w in waiting_work(people["legal"])[0]}
    drafts = Letter.objects.filter(kind="high", status="draft")
    assert {name for name, _ in legal["to_approve"].items} == {x.reference for x in drafts}
    assert len(legal["to_send"].items) == 2


@pytest.mark.django_db
def test_a_single_answer_links_straight_to_its_referral():
    people = build_waiting_work(1)
    answered = Referral.objects.get(events__kind=EventKind.INFORMATION_PROVIDED)
    work = {w.kind: w for w in waiting_work(people["assurance"])[0]}
    assert work["answers"].url == f"/referrals/triage/{answered.pk}/"
    assert work["answers"].items == ()
