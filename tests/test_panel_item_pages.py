"""The item screen: papers, declarations, rulings, the proposal and voting (issue 5)."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from panel import services
from panel.models import Decision, Declaration, InviteeRole, Seat, Vote
from referrals.models import Evidence
from ubpanel.roles import Role

from .factories import AgendaItemFactory, IncidentFactory, UserFactory
from .panel_setup import deputy_for, open_meeting, propose, record_owner, seat_holders

pytestmark = pytest.mark.django_db

C, COMPLAINTS, HS, CS, ASC, EQ = Seat.values


@pytest.fixture
def holders():
    return seat_holders()


@pytest.fixture
def meeting(holders):
    return open_meeting(holders)


@pytest.fixture
def item(meeting):
    item = AgendaItemFactory(meeting=meeting)
    IncidentFactory(referral=item.referral, description="Threw a chair at reception.")
    return item


def _client(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _url(name, *args):
    return reverse(f"panel:{name}", args=args)


def test_a_member_reads_the_papers_and_the_read_is_audited(holders, item, audit_entries):
    response = _client(holders[HS]).get(_url("item_detail", item.pk))

    assert response.status_code == 200
    assert b"Threw a chair at reception." in response.content
    assert str(item.referral.person).encode() in response.content
    views = audit_entries(event="view")
    assert {e.content_type.model for e in views} >= {"agendaitem", "referral"}
    assert all(e.actor == holders[HS] for e in views)


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.REFERRING_MANAGER, Role.AUDITOR, None])
def test_it_returns_404_to_those_not_invited(role, item, audit_entries):
    user = UserFactory(roles=[role] if role else [])
    for name in ("item_detail", "item_live", "declare", "proposal"):
        response = _client(user).get(_url(name, item.pk))
        assert response.status_code == 404, name
    assert len(audit_entries(event="denied")) == 4


def test_an_invitee_sees_their_item_only_and_cannot_vote(holders, meeting, item, audit_entries):
    manager = UserFactory(username="opsmanager", roles=[Role.REFERRING_MANAGER])
    services.invitee_add(
        actor=holders[C], item=item, user=manager, role=InviteeRole.OPERATIONS_MANAGER
    )
    other = AgendaItemFactory(meeting=meeting)
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    client = _client(manager)

    page = client.get(_url("item_detail", item.pk))
    assert page.status_code == 200
    assert b"Invitees advise the panel; they do not vote." in page.content
    assert b'data-testid="vote-for"' not in page.content
    assert client.get(_url("item_detail", other.pk)).status_code == 404
    assert client.post(_url("vote", item.pk), {"choice": "for"}).status_code == 403
    assert not Vote.objects.exists()


def test_a_member_declares_an_interest_and_nothing_typed_is_lost(holders, item):
    client = _client(holders[EQ])

    empty = client.post(_url("declare", item.pk), {"interest": ""})
    assert empty.status_code == 400
    assert b"Enter your interest in this item" in empty.content

    done = client.post(_url("declare", item.pk), {"interest": "Lives next door."})
    assert done.status_code == 302
    assert Declaration.objects.get().interest == "Lives next door."


def test_the_chair_rules_and_a_member_may_not(holders, item):
    declaration = services.declaration_make(actor=holders[EQ], item=item, interest="Cousin.")
    url = reverse("panel:declaration_rule", args=[declaration.pk])

    assert _client(holders[HS]).get(url).status_code == 403
    response = _client(holders[C]).post(url, {"ruling": "exclude", "reason": "Family."})

    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.ruling == "excluded"


def test_the_proposal_form_keeps_what_was_typed_when_it_is_refused(holders, item):
    client = _client(holders[C])
    response = client.post(
        _url("proposal", item.pk),
        {"health_considered": "on", "reasons": "Three threats.", "tier": "medium"},
    )
    assert response.status_code == 400
    assert b"Three threats." in response.content
    assert b"Select outcome" in response.content  # the outcome


def test_only_the_person_in_the_chair_records_the_proposal(holders, item):
    assert _client(holders[HS]).get(_url("proposal", item.pk)).status_code == 403


def test_the_chair_proposes_and_puts_it_to_the_vote(holders, item):
    client = _client(holders[C])
    response = client.post(
        _url("proposal", item.pk),
        {
            "health_considered": "on",
            "health_notes": "None known.",
            "meets_criteria": "yes",
            "tier": "high",
            "outcome": "add_to_schedule",
            "how_to_respond": "Never visit alone.",
            "record_owner": str(record_owner().pk),
            "reasons": "Assaulted an officer.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Decision.objects.get(item=item).letter_route == "legal_services"

    opened = client.post(_url("ballot_open", item.pk), HTTP_HX_REQUEST="true")
    assert opened.status_code == 200
    assert b'data-testid="ballot-open"' in opened.content


def test_the_live_screen_shows_who_voted_but_not_how_until_the_vote_closes(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    _client(holders[HS]).post(_url("vote", item.pk), {"choice": "against"}, HTTP_HX_REQUEST="true")

    live = _client(holders[C]).get(_url("item_live", item.pk)).content.decode()
    assert "1 of 5 eligible seats have voted." in live
    assert "Against" not in live.split('data-testid="voted-health_and_safety"')[1].split("</td>")[0]

    services.ballot_close(actor=holders[C], item=item)
    live = _client(holders[C]).get(_url("item_live", item.pk)).content.decode()
    assert "Against" in live.split('data-testid="voted-health_and_safety"')[1].split("</td>")[0]
    assert 'data-testid="not-carried"' in live


def test_a_vote_needs_the_csrf_token(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    client = _client(holders[HS], enforce_csrf_checks=True)

    assert client.post(_url("vote", item.pk), {"choice": "for"}).status_code == 403
    assert not Vote.objects.exists()


def test_a_vote_is_audited(holders, item, audit_entries):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    _client(holders[HS]).post(_url("vote", item.pk), {"choice": "for"})

    created = [e for e in audit_entries(action=0) if e.content_type.model == "vote"]
    assert len(created) == 1
    assert created[0].actor == holders[HS]


def test_the_item_screen_reads_a_constant_number_of_queries(
    holders, item, django_assert_max_num_queries
):
    client = _client(holders[C])
    client.get(_url("item_detail", item.pk))  # warm the session and roles
    with django_assert_max_num_queries(40) as few:
        client.get(_url("item_detail", item.pk))
    for number in range(5):
        IncidentFactory(referral=item.referral)
        services.declaration_make(
            actor=deputy_for(EQ, f"deputy-{number}"), item=item, interest="Knows them."
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url("item_detail", item.pk))


def test_evidence_in_the_papers_downloads_only_from_the_item(holders, item, meeting, audit_entries):
    evidence = Evidence.objects.create(
        referral=item.referral,
        original_name="call-log.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    evidence.file.save("call-log.pdf", ContentFile(b"%PDF"))
    other = AgendaItemFactory(meeting=meeting)
    client = _client(holders[HS])

    response = client.get(_url("evidence_download", item.pk, evidence.pk))
    assert response.status_code == 200
    assert audit_entries(event="download")[0].object_pk == str(evidence.pk)
    assert client.get(_url("evidence_download", other.pk, evidence.pk)).status_code == 404


def _decided(holders, item):
    propose(holders[C], item)
    services.ballot_open(actor=holders[C], item=item)
    for seat in (C, COMPLAINTS, HS, CS):
        services.vote_cast(actor=holders[seat], item=item, choice="for")
    services.ballot_close(actor=holders[C], item=item)
    return Decision.objects.get(item=item)


def test_the_chair_corrects_a_decision_and_a_missing_reason_keeps_the_text(holders, item):
    decision = _decided(holders, item)
    url = reverse("panel:decision_correct", args=[decision.pk])
    client = _client(holders[C])

    refused = client.post(url, {"field": "reasons", "value": "Four occasions.", "reason": ""})
    assert refused.status_code == 400
    assert b"Four occasions." in refused.content

    done = client.post(url, {"field": "reasons", "value": "Four occasions.", "reason": "Miscount."})
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.reasons == "Four occasions."
    assert decision.corrections.get().reason == "Miscount."


def test_only_the_chair_corrects_and_strangers_get_the_audited_404(holders, item, audit_entries):
    decision = _decided(holders, item)
    url = reverse("panel:decision_correct", args=[decision.pk])

    assert _client(holders[HS]).get(url).status_code == 403
    assert _client(UserFactory(roles=[Role.FRONTLINE])).get(url).status_code == 404
    assert audit_entries(event="denied")[-1].object_pk == str(decision.pk)


def test_a_stranger_cannot_reach_a_declaration_to_rule_on(holders, item, audit_entries):
    declaration = services.declaration_make(actor=holders[EQ], item=item, interest="Cousin.")
    url = reverse("panel:declaration_rule", args=[declaration.pk])

    assert _client(UserFactory(roles=[Role.FRONTLINE])).get(url).status_code == 404
    assert audit_entries(event="denied")[-1].object_pk == str(declaration.pk)


def test_the_ruling_form_keeps_the_reason_when_no_ruling_is_chosen(holders, item):
    declaration = services.declaration_make(actor=holders[EQ], item=item, interest="Cousin.")
    url = reverse("panel:declaration_rule", args=[declaration.pk])

    response = _client(holders[C]).post(url, {"reason": "Close family."})

    assert response.status_code == 400
    assert b"Close family." in response.content


def test_the_adult_social_care_representative_records_a_consultation_from_the_screen(
    holders, item, audit_entries
):
    response = _client(holders[ASC]).post(
        _url("care_system", item.pk), {"notes": "Known to the locality team."}
    )

    assert response.status_code == 302
    decision = Decision.objects.get(item=item)
    assert decision.care_system_consulted_by == holders[ASC]
    created = [e for e in audit_entries(content_type__model="decision")]
    assert "Known to the locality team." not in str(created[-1].changes)  # special category
    assert (
        _client(holders[HS]).post(_url("care_system", item.pk), {"notes": "x"}).status_code == 403
    )


def test_the_operations_managers_statement_goes_with_the_papers(holders, item):
    manager = UserFactory(username="presenter", roles=[Role.REFERRING_MANAGER])
    services.invitee_add(
        actor=holders[C], item=item, user=manager, role=InviteeRole.OPERATIONS_MANAGER
    )

    _client(manager).post(_url("statement", item.pk), {"statement": "Six calls a day."})

    item.refresh_from_db()
    assert item.statement == "Six calls a day."
    outsider = UserFactory(roles=[Role.FRONTLINE])
    assert _client(outsider).post(_url("statement", item.pk), {"statement": "x"}).status_code == 404
