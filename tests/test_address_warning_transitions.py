"""Address warnings: the chair and the Assurance team add, change and end them; every status
against every change."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from schedule import services
from schedule.models import AddressWarning, AddressWarningStatus
from schedule.selectors import visible_address_warnings
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ServiceFactory

W = AddressWarningStatus
pytestmark = pytest.mark.django_db

MANAGERS = [Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER]
OTHERS = [role for role in Role if role not in MANAGERS]
TRANSITIONS = {
    "update": (services.address_warning_update, {"tier": "high", "guidance": "Never alone."}),
    "end": (services.address_warning_end, {"reason": "The tenant moved away."}),
}


@pytest.fixture
def chair(make_user):
    return make_user(Role.PANEL_CHAIR)


def make_warning(**kwargs):
    fields = {
        "address": "Flat 2, 9 High East Street\nDorchester",
        "postcode": "DT1 1HA",
        "postcode_normalised": "DT11HA",
        "tier": "medium",
        "guidance": "Visit in pairs.",
        **kwargs,
    }
    return AddressWarning.objects.create(**fields)


@pytest.mark.parametrize("role", MANAGERS, ids=lambda r: r.value)
def test_the_chair_and_assurance_add_a_warning_with_the_postcode_normalised(make_user, role):
    actor = make_user(role)

    warning = services.address_warning_add(
        actor=actor,
        address="  Flat 2, 9 High East Street\r\n Dorchester \r\n",
        postcode="dt11ha",
        tier="medium",
        guidance=" Visit in pairs. ",
    )

    warning.refresh_from_db()
    assert (warning.postcode, warning.postcode_normalised) == ("DT1 1HA", "DT11HA")
    assert warning.address == "Flat 2, 9 High East Street\nDorchester"
    assert str(warning) == "Flat 2, 9 High East Street, Dorchester, DT1 1HA"
    assert (warning.tier, warning.guidance, warning.status) == ("medium", "Visit in pairs.", W.LIVE)
    assert warning.created_by == actor
    [created] = LogEntry.objects.get_for_object(warning).filter(action=LogEntry.Action.CREATE)
    assert created.actor == actor


def test_bad_input_is_refused_field_by_field(chair):
    with pytest.raises(ValidationError) as error:
        services.address_warning_add(
            actor=chair, address=" ", postcode="not a postcode", tier="extreme", guidance=""
        )

    assert set(error.value.message_dict) == {"address", "postcode", "tier", "guidance"}
    assert not AddressWarning.objects.exists()


def test_an_address_without_a_postcode_may_carry_a_warning(chair):
    warning = services.address_warning_add(
        actor=chair,
        address="Lay-by, A35 near Winterbourne Abbas",
        postcode="",
        tier="high",
        guidance="Police escort only.",
    )

    assert (warning.postcode, warning.postcode_normalised) == ("", "")


@pytest.mark.parametrize("status", list(W))
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_warning_status_against_every_change(chair, status, name):
    warning = make_warning(status=status)
    service, kwargs = TRANSITIONS[name]

    if status == W.LIVE:
        service(actor=chair, warning=warning, **kwargs)
        warning.refresh_from_db()
        if name == "update":
            assert (warning.tier, warning.guidance, warning.status) == (
                "high",
                "Never alone.",
                W.LIVE,
            )
        else:
            assert warning.status == W.REMOVED
    else:
        with pytest.raises(services.ScheduleTransitionError, match="has ended"):
            service(actor=chair, warning=warning, **kwargs)
        warning.refresh_from_db()
        assert (warning.status, warning.tier, warning.guidance) == (
            status,
            "medium",
            "Visit in pairs.",
        )


@pytest.mark.parametrize("role", OTHERS, ids=lambda r: r.value)
def test_no_one_else_adds_changes_or_ends_a_warning(make_user, role):
    actor = make_user(role)
    warning = make_warning()

    with pytest.raises(PermissionDenied, match="chair and the Assurance team"):
        services.address_warning_add(
            actor=actor, address="1 Any Road", postcode="DT1 1AA", tier="low", guidance="x"
        )
    for service, kwargs in TRANSITIONS.values():
        with pytest.raises(PermissionDenied):
            service(actor=actor, warning=warning, **kwargs)

    warning.refresh_from_db()
    assert (warning.status, warning.tier) == (W.LIVE, "medium")
    assert AddressWarning.objects.count() == 1


def test_a_change_needs_a_known_tier_and_guidance(chair):
    warning = make_warning()

    with pytest.raises(ValidationError) as error:
        services.address_warning_update(actor=chair, warning=warning, tier="", guidance=" ")

    assert set(error.value.message_dict) == {"tier", "guidance"}


def test_ending_needs_a_reason(chair):
    warning = make_warning()

    with pytest.raises(ValidationError, match="Say why"):
        services.address_warning_end(actor=chair, warning=warning, reason="  ")

    warning.refresh_from_db()
    assert warning.status == W.LIVE


def test_the_warning_and_the_audit_trail_keep_who_ended_it_and_why(chair):
    warning = make_warning()

    services.address_warning_end(actor=chair, warning=warning, reason=" The tenant moved away. ")

    [change] = LogEntry.objects.get_for_object(warning).filter(action=LogEntry.Action.UPDATE)
    assert change.actor == chair
    assert change.changes_dict["status"] == ["live", "removed"]
    assert change.changes_dict["ended_reason"] == ["", "The tenant moved away."]
    warning.refresh_from_db()
    assert (warning.ended_by, warning.ended_reason) == (chair, "The tenant moved away.")
    assert warning.ended_at is not None


def test_staff_stop_seeing_an_ended_warning_and_see_a_new_tier_at_once(make_user, chair):
    visiting = ServiceFactory(name="Environmental Health")
    AccessGrantFactory(service=visiting, low=False)
    officer = make_user(Role.FRONTLINE, service=visiting)
    warning = make_warning(tier="low")
    assert not visible_address_warnings(officer).exists()

    services.address_warning_update(actor=chair, warning=warning, tier="high", guidance="Pairs.")
    assert list(visible_address_warnings(officer)) == [warning]

    services.address_warning_end(actor=chair, warning=warning, reason="Moved away.")
    assert not visible_address_warnings(officer).exists()
