"""Every referral status, from the web form and from the mailbox, against every transition of
REFERRAL_GRAPH: a move the graph allows is made (and is on the timeline), any other is refused
with the referral left as it was; and the triage moves are the Assurance team's alone."""

import pytest
from django.core.exceptions import PermissionDenied

from referrals import services
from referrals.models import Referral
from referrals.statuses import (
    MAILBOX_DRAFT_ONLY,
    REFERRAL_GRAPH,
    ReferralSource,
    ReferralStatus,
    referral_sources,
)
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    PersonFactory,
    ReferralFactory,
    SubmittedReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus


@pytest.fixture
def people(make_user):
    return {
        "assurance": make_user(Role.ASSURANCE_OFFICER, username="assurance"),
        "legal": make_user(Role.LEGAL_SERVICES, username="legal"),
        "chair": make_user(Role.PANEL_CHAIR, username="chair"),
    }


# How each service in the graph is called, by whom: (actor, keyword arguments).
RUN = {
    "referral_submit": lambda r, p: (r.referrer, {}),
    "referral_request_information": lambda r, p: (p["assurance"], {"question": "Dates?"}),
    "referral_provide_information": lambda r, p: (r.referrer, {"answer": "The 3rd."}),
    "referral_recommend_letter": lambda r, p: (p["assurance"], {"reason": "A letter first."}),
    "referral_mark_out_of_scope": lambda r, p: (p["assurance"], {"reason": "FOI only."}),
    "referral_await_legal_advice": lambda r, p: (p["assurance"], {"reason": "Journalist?"}),
    "referral_record_legal_advice": lambda r, p: (p["legal"], {"advice": "Go ahead."}),
    "referral_mark_ready_for_panel": lambda r, p: (p["assurance"], {"note": ""}),
    "referral_confirm_repeat_behaviour": lambda r, p: (p["assurance"], {}),
    "referral_close": lambda r, p: (p["assurance"], {"reason": "No further action."}),
    "referral_decided_by_panel": lambda r, p: (p["chair"], {"message": "Add to the schedule."}),
    "referral_merge": lambda r, p: (
        p["assurance"],
        {"into": SubmittedReferralFactory(), "reason": "Same incident."},
    ),
}


def _referral(status, source) -> Referral:
    """A referral in ``status`` about someone on the schedule (so repeat behaviour can be
    confirmed), written by a referring manager (by Health and Safety when they escalated it)."""
    person = PersonFactory()
    ActiveEntryFactory(person=person)
    writer = {}
    if source == ReferralSource.HEALTH_SAFETY:
        writer["referrer"] = UserFactory(roles=[Role.HEALTH_SAFETY])
    return ReferralFactory(status=status, source=source, person=person, **writer)


def test_every_service_in_the_graph_is_walked_and_is_a_service():
    assert set(RUN) == set(REFERRAL_GRAPH.services())
    assert all(callable(getattr(services, name)) for name in RUN)


def test_only_a_mailbox_draft_is_triaged_as_it_stands():
    web, mailbox = Referral(source=ReferralSource.WEB), Referral(source=ReferralSource.MAILBOX)
    for name in MAILBOX_DRAFT_ONLY:
        assert S.DRAFT in REFERRAL_GRAPH.sources(name)
        assert S.DRAFT not in referral_sources(web, name)
        assert S.DRAFT in referral_sources(mailbox, name)


@pytest.mark.parametrize("source", ReferralSource.values)
@pytest.mark.parametrize("name", REFERRAL_GRAPH.services())
@pytest.mark.parametrize("status", S.values)
def test_every_status_and_every_transition(status, name, source, people):
    referral = _referral(status, source)
    actor, kwargs = RUN[name](referral, people)
    events = referral.events.count()

    if status in referral_sources(referral, name):
        getattr(services, name)(actor=actor, referral=referral, **kwargs)
        referral.refresh_from_db()
        moves = {(t.source, t.target) for t in REFERRAL_GRAPH.transitions if t.service == name}
        assert (status, referral.status) in moves
        assert referral.events.filter(from_status=status, to_status=referral.status).exists()
    else:
        with pytest.raises(services.ReferralTransitionError):
            getattr(services, name)(actor=actor, referral=referral, **kwargs)
        referral.refresh_from_db()
        assert referral.status == status
        assert referral.events.count() == events


# The Assurance team's triage (the rest are the referrer's, Legal Services' or the panel's).
ASSURANCES = sorted(MAILBOX_DRAFT_ONLY | {"referral_close"})


@pytest.mark.parametrize("name", ASSURANCES)
@pytest.mark.parametrize("role", [Role.REFERRING_MANAGER, Role.LEGAL_SERVICES, Role.PANEL_CHAIR])
def test_the_triage_moves_are_the_assurance_teams(name, role, people, make_user):
    referral = _referral(S.SUBMITTED, ReferralSource.WEB)
    _, kwargs = RUN[name](referral, people)

    with pytest.raises(PermissionDenied):
        getattr(services, name)(actor=make_user(role), referral=referral, **kwargs)

    referral.refresh_from_db()
    assert referral.status == S.SUBMITTED
