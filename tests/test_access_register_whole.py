"""The whole access register (issue 18, point 2): tier grants, need-to-know grants and the roles
that reach the schedule because of their role, each with its rationale, exportable for the
Information Asset Owner."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from schedule.models import AddressWarning, SingleAccessGrant
from schedule.register import ROLE_ACCESS, access_now
from schedule.selectors import visible_entries
from ubpanel.roles import CASE_ROLES, Role

from .factories import AccessGrantFactory, ActiveEntryFactory, ServiceFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _single(n=1, **kwargs):
    warning = AddressWarning.objects.create(
        address="2 Quay Street", postcode="DT6 1AA", postcode_normalised="DT61AA", tier="high"
    )
    return [
        SingleAccessGrant.objects.create(
            **{
                "service": ServiceFactory(name=f"Visiting team {i}"),
                "kind": "address",
                "subject": "2 Quay Street",
                "rationale": f'=HYPERLINK("x") meter reading {i}',
                "ends_on": TODAY + timedelta(days=3),
                "status": "approved",
                "address_warning": warning,
            }
            | kwargs
        )
        for i in range(n)
    ]


@pytest.fixture
def register(make_user):
    make_user(Role.MONITORING_OFFICER, first_name="Ada", last_name="Monitor")
    make_user(Role.AUDITOR, first_name="Aud", last_name="Itor")
    AccessGrantFactory(
        service=ServiceFactory(name="Customer Services"),
        rationale="Front desk contact with the public.",
        recertify_by=TODAY + timedelta(days=90),
    )
    # Lapsed: not access now.
    AccessGrantFactory(
        service=ServiceFactory(name="Libraries"), recertify_by=TODAY - timedelta(days=1)
    )
    _single()
    # Ended yesterday: not access now.
    _single(ends_on=TODAY - timedelta(days=1), service=ServiceFactory(name="Old visits"))


@pytest.mark.parametrize("access", ROLE_ACCESS, ids=lambda a: a.role.value)
def test_each_role_is_described_as_the_selectors_decide(make_user, access):
    user = make_user(access.role)
    entry = ActiveEntryFactory(tier="high")

    sees_every_entry = visible_entries(user).filter(pk=entry.pk).exists()

    assert sees_every_entry is access.reaches.startswith("Every entry")
    assert sees_every_entry is (access.role in CASE_ROLES)
    assert access.rationale


def test_every_role_that_sees_every_entry_is_in_the_register():
    assert {access.role for access in ROLE_ACCESS} >= CASE_ROLES


def test_access_now_lists_role_holders_tier_grants_and_single_grants(register):
    rows = access_now()

    by_who = {row.who: row for row in rows}
    assert by_who["Ada Monitor"].access == "Monitoring Officer"
    assert by_who["Ada Monitor"].rationale
    assert by_who["Customer Services"].access == "Risk tiers"
    assert by_who["Customer Services"].rationale == "Front desk contact with the public."
    assert by_who["Visiting team 0"].access == "One record"
    assert "Libraries" not in by_who
    assert "Old visits" not in by_who


def test_the_register_page_shows_all_three_kinds(chair_client, register):
    html = chair_client.get(reverse("schedule:access_register")).content.decode()

    assert 'data-testid="role-access"' in html
    assert "Ada Monitor" in html
    assert 'data-testid="grants-single-current"' in html
    assert "Visiting team 0" in html
    assert "Download who has access now (CSV)" in html


def test_the_chair_exports_the_register_and_the_export_is_audited(
    chair_client, register, audit_entries
):
    response = chair_client.get(reverse("schedule:access_register_csv"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="access-register-')
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[1][:3] == ["Who", "Holder", "Access"]
    whos = [line[0] for line in lines[2:]]
    assert {"Ada Monitor", "Customer Services", "Visiting team 0"} <= set(whos)
    # A rationale that starts like a formula is written as text.
    single = next(line for line in lines if line[0] == "Visiting team 0")
    assert single[4].startswith("'=")
    exported = audit_entries(event="export")
    assert exported[-1].additional_data["format"] == "csv"


def test_the_xlsx_export_holds_the_same_rows(chair_client, register):
    response = chair_client.get(reverse("schedule:access_register_xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    whos = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert {"Ada Monitor", "Customer Services", "Visiting team 0"} <= set(whos)


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.ASSURANCE_OFFICER, Role.FRONTLINE])
def test_only_the_information_asset_owner_exports(role_client, role, audit_entries):
    client = role_client(role)

    response = client.get(reverse("schedule:access_register_csv"))

    assert response.status_code == 403
    assert audit_entries(event="denied")
    assert not audit_entries(event="export")


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("schedule:access_register")).status_code == 200
    return len(queries)


def test_the_register_page_keeps_a_constant_number_of_queries(chair_client, make_user):
    _single(1)
    make_user(Role.PANEL_MEMBER)
    few = _queries(chair_client)
    _single(15)
    for _ in range(10):
        make_user(Role.ASSURANCE_OFFICER)

    assert _queries(chair_client) == few
