"""Every status against every transition of the schedule's status graphs, read from the graphs
themselves: a new edge (or a new status) is tested without touching this file, once it says how to
call the new service. A move the graph allows succeeds and lands on one of its targets; any other is
refused with ScheduleTransitionError and leaves the row as it was."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from correspondence import entry_page as letters_entry_page
from panel import entry_page as panel_entry_page
from schedule import services
from schedule.models import (
    ADDRESS_WARNING_GRAPH,
    ENTRY_GRAPH,
    GRANT_GRAPH,
    AccessGrant,
    AddressWarning,
    Entry,
)
from ubpanel import hooks
from ubpanel.roles import Role

from .factories import AccessGrantFactory, EntryFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

LATER = timezone.localdate() + timedelta(days=200)
TODAY = timezone.localdate()


def _owner():
    return UserFactory(roles=[Role.REFERRING_MANAGER])


# How to call each service the graphs name: (the keyword arguments, given the fresh object; the
# target they ask for, when the service has several). Every service in a graph must be here.
ENTRY_CALLS = {
    "entry_ratify": [(lambda entry: {"note": "Unanimous."}, None)],
    "entry_end_emergency": [(lambda entry: {"reason": "Not high risk."}, None)],
    "entry_remove": [(lambda entry: {"reason": "Behaviour improved."}, None)],
    "entry_appeal_lodged": [(lambda entry: {"note": "Letter received."}, None)],
    "entry_appeal_decided": [
        (lambda entry: {"upheld": True, "reason": "Protocol not followed."}, "removed"),
        (lambda entry: {"upheld": False, "reason": "The decision stands."}, "active"),
    ],
    "entry_review_keep": [(lambda entry: {"decided_on": TODAY}, None)],
    "entry_correct": [
        (lambda entry: {"field": "how_to_respond", "value": "Write only.", "note": ""}, None)
    ],
    "entry_record_owner_set": [
        (lambda entry: {"owner": _owner(), "reason": "Moved to another team."}, None)
    ],
    "entry_record_repeat_behaviour": [
        (lambda entry: {"referral": ReferralFactory(person=entry.person)}, None)
    ],
    "entry_record_notification": [(lambda entry: {"notified_on": TODAY, "letter": "L1"}, None)],
    "entry_record_divert_told": [(lambda entry: {"told_on": TODAY, "letter": "L2"}, None)],
}
GRANT_CALLS = {
    "access_grant_approve": [(lambda grant: {"recertify_by": LATER}, None)],
    "access_grant_recertify": [(lambda grant: {"recertify_by": LATER}, None)],
    "access_grant_decline": [(lambda grant: {"reason": "No contact expected."}, None)],
    "access_grant_revoke": [(lambda grant: {"reason": "The service stopped visiting."}, None)],
}
WARNING_CALLS = {
    "address_warning_update": [
        (lambda warning: {"tier": "high", "guidance": "Go in pairs."}, None)
    ],
    "address_warning_end": [(lambda warning: {"reason": "The tenant moved away."}, None)],
}


def _entry(status):
    return EntryFactory(status=status)


def _grant(status):
    return AccessGrantFactory(status=status)


def _warning(status):
    return AddressWarning.objects.create(
        address="1 High Street\nDorchester", postcode="DT1 1AA", tier="medium", status=status
    )


GRAPHS = {
    "entry": (ENTRY_GRAPH, ENTRY_CALLS, _entry, "entry", Entry),
    "grant": (GRANT_GRAPH, GRANT_CALLS, _grant, "grant", AccessGrant),
    "address_warning": (ADDRESS_WARNING_GRAPH, WARNING_CALLS, _warning, "warning", AddressWarning),
}


def _cases():
    for name, (graph, calls, _make, _keyword, _model) in GRAPHS.items():
        for service_name in graph.services():
            for number, (_kwargs, target) in enumerate(calls.get(service_name, [(None, None)])):
                for status in graph.statuses:
                    yield pytest.param(
                        name,
                        service_name,
                        number,
                        status,
                        id=f"{service_name}{f'-to-{target}' if target else ''}-from-{status}",
                    )


@pytest.fixture
def actor(make_user):
    # The chair records the panel's decisions (access, address warnings, record owners); the
    # Monitoring Officer decides appeals. The other moves carry the panel's vote.
    return make_user(Role.PANEL_CHAIR, Role.MONITORING_OFFICER)


@pytest.mark.parametrize("graph_name", list(GRAPHS))
def test_every_service_a_graph_names_is_a_schedule_service_with_a_way_to_call_it(graph_name):
    graph, calls, *_ = GRAPHS[graph_name]

    for service_name in graph.services():
        assert callable(getattr(services, service_name)), service_name
        assert service_name in calls, f"say how to call {service_name} in this file"


@pytest.mark.parametrize(("graph_name", "service_name", "number", "status"), list(_cases()))
def test_every_status_against_every_transition(actor, graph_name, service_name, number, status):
    graph, calls, make, keyword, model = GRAPHS[graph_name]
    kwargs, target = calls[service_name][number]
    obj = make(status)
    before = model_to_dict(model.objects.get(pk=obj.pk))
    service = getattr(services, service_name)
    allowed = any(
        t.source == status and t.service == service_name and target in (None, t.target)
        for t in graph.transitions
    )

    if allowed:
        service(actor=actor, **{keyword: obj}, **kwargs(obj))
        obj.refresh_from_db()
        targets = {
            t.target for t in graph.transitions if t.source == status and t.service == service_name
        }
        assert obj.status in ({target} if target else targets)
    else:
        with pytest.raises(services.ScheduleTransitionError):
            service(actor=actor, **{keyword: obj}, **kwargs(obj))
        assert model_to_dict(model.objects.get(pk=obj.pk)) == before


def test_the_entry_page_hook_has_the_panel_and_the_letters_connected():
    assert panel_entry_page.entry_page_context in hooks.entry_page_context.receivers
    assert letters_entry_page.entry_page_context in hooks.entry_page_context.receivers
