"""The committee statistics page and its CSV and XLSX exports (issue 17): who may open them, what
they hold, the audit trail, bad input and constant query counts."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from referrals.models import Referral
from reports.periods import Period
from schedule.models import Entry
from tests.factories import PersonFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = reverse("reports:statistics")
PERIOD = "start_day=1&start_month=1&start_year=2026&end_day=30&end_month=6&end_year=2026"


@pytest.fixture
def referrals():
    """Referrals from Housing in the period, about people whose names must never appear."""

    def make(count, service_name="Housing"):
        service = ServiceFactory(name=service_name)
        Referral.objects.bulk_create(
            Referral(
                status="submitted",
                service=service,
                subject_given_names="Zebedee",
                subject_family_name="Quartermain",
                submitted_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
                behaviour_categories=["abusive"],
            )
            for _ in range(count)
        )

    return make


@pytest.mark.parametrize("name", ["chair_client", "auditor_client"])
def test_the_chair_and_auditors_see_the_statistics(request, name, referrals):
    referrals(3)
    client = request.getfixturevalue(name)
    response = client.get(f"{URL}?{PERIOD}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 January 2026 to 30 June 2026" in page
    assert "3 referrals were received: 3 from the web form" in page
    assert 'data-testid="chart-referrals-by-source"' in page
    assert 'role="img"' in page
    assert "Quartermain" not in page


@pytest.mark.parametrize(
    "name",
    ["frontline_client", "manager_client", "assurance_client", "panel_client", "outsider_client"],
)
def test_other_roles_are_refused_and_the_refusal_is_audited(request, name, audit_entries):
    client = request.getfixturevalue(name)
    for url in (
        URL,
        reverse("reports:statistics_xlsx"),
        reverse("reports:statistics_csv", args=["appeals"]),
    ):
        assert client.get(f"{url}?{PERIOD}").status_code == 403
    assert len(audit_entries(event="denied")) == 3


def test_the_page_defaults_to_the_last_twelve_months(chair_client):
    response = chair_client.get(URL)
    assert response.status_code == 200
    assert Period.last_twelve_months().label in response.content.decode()


def test_a_wrong_period_is_named_beside_its_field_and_what_was_typed_is_kept(chair_client):
    response = chair_client.get(
        f"{URL}?start_day=1&start_month=7&start_year=2026&end_day=1&end_month=2&end_year=2026"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The period must end on or after the day it starts" in page
    assert 'href="#id_end_0"' in page  # the error summary links to the field's Day box
    assert 'id="id_end-error"' in page  # the message beside the field
    assert 'value="7"' in page
    assert 'value="2"' in page
    assert 'data-testid="table-' not in page


def test_a_period_ending_in_the_future_is_refused(chair_client):
    response = chair_client.get(
        f"{URL}?start_day=1&start_month=1&start_year=2026&end_day=1&end_month=1&end_year=2099"
    )
    assert response.status_code == 400
    assert "The period must end today or earlier" in response.content.decode()


def test_viewing_is_audited_with_the_period(chair_client, audit_entries):
    chair_client.get(f"{URL}?{PERIOD}")
    [entry] = audit_entries(event="view")
    assert entry.object_repr == "Committee statistics: page"
    assert entry.additional_data["period_start"] == "2026-01-01"
    assert entry.additional_data["period_end"] == "2026-06-30"


def test_a_table_downloads_as_csv_audited_as_an_export(chair_client, referrals, audit_entries):
    referrals(4)
    response = chair_client.get(
        f"{reverse('reports:statistics_csv', args=['referrals-by-service'])}?{PERIOD}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="referrals-by-service-2026-01-01-to-2026-06-30.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Referrals received, by service, 1 January 2026 to 30 June 2026"]
    assert rows[1] == ["Service", "Referrals", "Added to the schedule"]
    assert rows[2] == ["Housing", "4", "0"]
    assert rows[3] == ["Total", "4", "0"]
    assert "Quartermain" not in response.content.decode()
    [entry] = audit_entries(event="export")
    assert entry.additional_data["format"] == "csv"
    assert entry.additional_data["table"] == "referrals-by-service"


def test_a_cell_that_looks_like_a_formula_is_kept_as_text(chair_client, referrals):
    referrals(1, service_name='=HYPERLINK("http://evil")')
    response = chair_client.get(
        f"{reverse('reports:statistics_csv', args=['referrals-by-service'])}?{PERIOD}"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2][0].startswith("'=")


def test_an_unknown_table_is_404(chair_client):
    assert (
        chair_client.get(
            f"{reverse('reports:statistics_csv', args=['nothing'])}?{PERIOD}"
        ).status_code
        == 404
    )


def test_every_table_downloads_as_one_workbook(chair_client, referrals, audit_entries):
    referrals(2)
    response = chair_client.get(f"{reverse('reports:statistics_xlsx')}?{PERIOD}")
    assert response.status_code == 200
    assert (
        'filename="committee-statistics-2026-01-01-to-2026-06-30.xlsx"'
        in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Contents"
    assert "referrals-by-source" in book.sheetnames
    assert "equalities-sex" in book.sheetnames
    sheet = book["referrals-by-source"]
    assert [cell.value for cell in sheet[2]] == ["Source", "Referrals"]
    assert [cell.value for cell in sheet[3]] == ["Web form", 2]  # a number, not text
    text = " ".join(str(cell.value) for ws in book for row in ws.iter_rows() for cell in row)
    assert "Quartermain" not in text
    [entry] = audit_entries(event="export")
    assert entry.additional_data["format"] == "xlsx"


def _queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{URL}?{PERIOD}").status_code == 200
    return len(captured.captured_queries)


def test_the_page_makes_the_same_queries_for_10_and_1000_referrals(chair_client, referrals):
    referrals(10)
    small = _queries(chair_client)
    referrals(990, service_name="Libraries")
    people = PersonFactory.create_batch(3)
    Entry.objects.bulk_create(
        Entry(person=person, tier="high", status="active", decided_on=datetime(2026, 2, 1).date())
        for person in people
    )
    assert _queries(chair_client) == small
    assert small <= 30


def test_an_export_for_a_wrong_period_is_404_and_writes_nothing(chair_client, audit_entries):
    url = reverse("reports:statistics_xlsx")
    wrong = "start_day=1&start_month=7&start_year=2026&end_day=1&end_month=2&end_year=2026"
    assert chair_client.get(f"{url}?{wrong}").status_code == 404
    assert audit_entries(event="export") == []
