"""Every referral status against every triage transition: allowed ones move, others are refused."""

import pytest

from referrals import services
from referrals.models import EventKind, ReferralSource, ReferralStatus
from ubpanel.roles import Role

from .factories import PersonFactory, ReferralFactory

S = ReferralStatus
pytestmark = pytest.mark.django_db

TRANSITIONS = {
    "request_information": (
        services.referral_request_information,
        {"question": "Dates?"},
        S.MORE_INFORMATION,
    ),
    "provide_information": (
        services.referral_provide_information,
        {"answer": "The 3rd."},
        S.SUBMITTED,
    ),
    "recommend_letter": (
        services.referral_recommend_letter,
        {"reason": "A letter first."},
        S.LETTER_RECOMMENDED,
    ),
    "mark_out_of_scope": (
        services.referral_mark_out_of_scope,
        {"reason": "FOI only."},
        S.OUT_OF_SCOPE,
    ),
    "await_legal_advice": (
        services.referral_await_legal_advice,
        {"reason": "Journalist."},
        S.AWAITING_LEGAL_ADVICE,
    ),
    "mark_ready_for_panel": (
        services.referral_mark_ready_for_panel,
        {"note": ""},
        S.READY_FOR_PANEL,
    ),
    "close": (services.referral_close, {"reason": "No further action."}, S.CLOSED),
}

TRIAGE = {S.SUBMITTED, S.AWAITING_LEGAL_ADVICE}
ALLOWED = {
    "request_information": TRIAGE,
    "provide_information": {S.MORE_INFORMATION},
    "recommend_letter": TRIAGE,
    "mark_out_of_scope": TRIAGE,
    "await_legal_advice": {S.SUBMITTED},
    # Not while awaiting legal advice: the protocol asks for it before the protocol is applied.
    "mark_ready_for_panel": {S.SUBMITTED},
    "close": {
        S.DRAFT,
        S.SUBMITTED,
        S.MORE_INFORMATION,
        S.AWAITING_LEGAL_ADVICE,
        S.LETTER_RECOMMENDED,
        S.OUT_OF_SCOPE,
        S.READY_FOR_PANEL,
    },
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_status_against_every_transition_for_a_web_referral(make_user, status, name):
    referral = ReferralFactory(status=status, person=PersonFactory())
    # The referrer answers the Assurance team's question; everything else is Assurance's triage.
    actor = (
        referral.referrer if name == "provide_information" else make_user(Role.ASSURANCE_OFFICER)
    )
    service, kwargs, to = TRANSITIONS[name]

    if status in ALLOWED[name]:
        service(actor=actor, referral=referral, **kwargs)
        referral.refresh_from_db()
        assert referral.status == to
        event = referral.events.latest("pk")
        assert (event.from_status, event.to_status, event.actor) == (status, to, actor)
    else:
        with pytest.raises(services.ReferralTransitionError):
            service(actor=actor, referral=referral, **kwargs)
        referral.refresh_from_db()
        assert referral.status == status


@pytest.mark.parametrize(
    "name",
    [
        "request_information",
        "recommend_letter",
        "mark_out_of_scope",
        "await_legal_advice",
        "mark_ready_for_panel",
        "close",
    ],
)
def test_a_mailbox_draft_can_be_triaged_as_it_stands(make_user, name):
    actor = make_user(Role.ASSURANCE_OFFICER)
    referral = ReferralFactory(
        status=S.DRAFT, source=ReferralSource.MAILBOX, person=PersonFactory()
    )
    service, kwargs, to = TRANSITIONS[name]

    service(actor=actor, referral=referral, **kwargs)

    referral.refresh_from_db()
    assert referral.status == to


def test_a_referral_cannot_go_to_the_panel_without_a_linked_person(make_user):
    referral = ReferralFactory(status=S.SUBMITTED)

    with pytest.raises(services.ReferralTransitionError, match="Link"):
        services.referral_mark_ready_for_panel(
            actor=make_user(Role.ASSURANCE_OFFICER), referral=referral
        )


def test_a_referral_awaiting_legal_advice_is_not_listed_for_the_panel_until_advised(make_user):
    referral = ReferralFactory(status=S.AWAITING_LEGAL_ADVICE, person=PersonFactory())

    with pytest.raises(services.ReferralTransitionError, match="waiting for Legal Services"):
        services.referral_mark_ready_for_panel(
            actor=make_user(Role.ASSURANCE_OFFICER), referral=referral
        )


def test_submitting_a_journalists_referral_waits_for_legal_advice(make_user):
    referral = ReferralFactory(journalist=True)

    services.referral_submit(actor=referral.referrer, referral=referral)

    referral.refresh_from_db()
    assert referral.status == S.AWAITING_LEGAL_ADVICE
    assert "legal advice" in referral.events.get(kind=EventKind.SUBMITTED).message


def test_a_referral_is_submitted_only_once(make_user):
    referral = ReferralFactory()
    services.referral_submit(actor=referral.referrer, referral=referral)

    with pytest.raises(services.ReferralTransitionError):
        services.referral_submit(actor=referral.referrer, referral=referral)


def test_linking_to_someone_on_the_schedule_marks_repeat_behaviour(make_user):
    from schedule.models import Entry, EntryStatus

    person = PersonFactory()
    Entry.objects.create(person=person, tier="medium", status=EntryStatus.ACTIVE)
    referral = ReferralFactory(
        status=S.SUBMITTED, subject_email="X@Example.org", subject_phone="+44 7700 900123"
    )

    services.referral_link_person(
        actor=make_user(Role.ASSURANCE_OFFICER), referral=referral, person=person
    )

    referral.refresh_from_db()
    assert referral.repeat_behaviour is True
    assert "repeat behaviour" in referral.events.latest("pk").message
    assert person.emails.get().email_normalised == "x@example.org"
    assert person.phones.get().number_normalised == "07700900123"


def test_linking_to_someone_whose_entry_was_removed_is_not_repeat_behaviour(make_user):
    from schedule.models import Entry, EntryStatus

    person = PersonFactory()
    Entry.objects.create(person=person, tier="low", status=EntryStatus.REMOVED)
    referral = ReferralFactory(status=S.SUBMITTED)

    services.referral_link_person(
        actor=make_user(Role.ASSURANCE_OFFICER), referral=referral, person=person
    )

    referral.refresh_from_db()
    assert referral.repeat_behaviour is False


def test_a_new_person_is_recorded_from_the_referrals_details(make_user):
    referral = ReferralFactory(
        status=S.SUBMITTED,
        subject_given_names="Zoë",
        subject_family_name="Whitlock-Jones",
        subject_aliases="Zoe Jones\n",
    )

    person = services.referral_link_person(
        actor=make_user(Role.ASSURANCE_OFFICER), referral=referral, person=None
    )

    assert person.search_name == "zoe whitlock jones"
    assert [a.name for a in person.aliases.all()] == ["Zoe Jones"]
    assert person.addresses.get().postcode == "DT1 1AA"


def test_merging_moves_the_evidence_and_records_both_sides(make_user):
    actor = make_user(Role.ASSURANCE_OFFICER)
    duplicate = ReferralFactory(status=S.SUBMITTED)
    original = ReferralFactory(status=S.SUBMITTED)

    services.referral_merge(actor=actor, referral=duplicate, into=original, reason="Same incident")

    duplicate.refresh_from_db()
    assert duplicate.status == S.MERGED
    assert duplicate.merged_into == original
    assert duplicate.reference in original.events.latest("pk").message


def test_a_referral_cannot_be_merged_into_itself(make_user):
    referral = ReferralFactory(status=S.SUBMITTED)

    with pytest.raises(services.ReferralTransitionError):
        services.referral_merge(
            actor=make_user(Role.ASSURANCE_OFFICER), referral=referral, into=referral
        )
