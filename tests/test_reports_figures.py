"""Committee statistics (issue 17): every figure on a known data set.

The period is the first half of 2026, seen on 15 July 2026. Each record below is placed inside the
period, or just outside it to prove it is left out.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from correspondence.models import Letter, QuestionnaireReturn
from panel.models import AgendaItem, Decision, Meeting
from referrals.models import Referral
from reports import figures
from reports.equalities import equality_tables
from reports.periods import Period
from reports.statistics import all_tables, statistics
from reports.tables import Days, Suppressed
from schedule.models import AccessGrant, Appeal, Entry, EntryEvent
from tests.factories import PersonFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db

PERIOD = Period(start=date(2026, 1, 1), end=date(2026, 6, 30))


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def seen_in_july():
    with time_machine.travel(at("2026-07-15"), tick=False):
        yield


def referral(source="web", status="submitted", service=None, submitted=None, categories=()):
    made = Referral.objects.create(
        source=source,
        status=status,
        service=service,
        submitted_at=at(submitted) if submitted else None,
        behaviour_categories=list(categories),
    )
    return made


def created_on(obj, day: str) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=at(day))


def decision(*, kind="new_referral", outcome, day, referral=None, entry=None, **extra):
    meeting = Meeting.objects.create(
        kind="monthly", format="virtual", starts_at=at(day), status="closed"
    )
    item = AgendaItem.objects.create(
        meeting=meeting, kind=kind, position=1, referral=referral, entry=entry
    )
    return Decision.objects.create(
        item=item,
        status="final",
        outcome=outcome,
        decided_at=at(day),
        decided_on=date.fromisoformat(day),
        **extra,
    )


def entry(tier, status, *, decided_on=None, emergency=None):
    made = Entry.objects.create(
        person=PersonFactory(),
        tier=tier,
        status=status,
        decided_on=date.fromisoformat(decided_on) if decided_on else None,
        emergency_added_at=at(emergency) if emergency else None,
    )
    return made


def event(entry, kind, day, from_status="", to_status=""):
    made = EntryEvent.objects.create(
        entry=entry, kind=kind, from_status=from_status, to_status=to_status
    )
    created_on(made, day)


@pytest.fixture
def world():
    housing = ServiceFactory(name="Housing")
    libraries = ServiceFactory(name="Libraries")
    w = {}
    # Referrals.
    r1 = referral(
        service=housing, submitted="2026-02-01", categories=["abusive", "threats_of_violence"]
    )
    r1.status = "decided"
    r1.save()
    decision(outcome="add_to_schedule", day="2026-02-20", referral=r1)
    r2 = referral(service=housing, submitted="2026-03-01", categories=["abusive"], status="decided")
    decision(outcome="letter_only", day="2026-04-15", referral=r2)
    r3 = referral(source="mailbox", status="draft")
    created_on(r3, "2026-03-10")
    r4 = referral(
        service=libraries,
        submitted="2026-04-01",
        status="out_of_scope",
        categories=["many_questions"],
    )
    referral(service=libraries, status="draft")  # a manager's own web draft: not received
    referral(service=housing, submitted="2025-12-01")  # before the period
    r7 = referral(
        service=housing, submitted="2026-05-01", status="ready_for_panel", categories=["abusive"]
    )
    decision(outcome="defer", day="2026-05-20", referral=r7)
    w["referrals"] = [r1, r2, r3, r4, r7]

    # The schedule.
    e1 = entry("high", "active", emergency="2026-01-10")
    event(e1, "emergency_addition", "2026-01-10", "", "pending_ratification")
    event(e1, "ratified", "2026-02-05", "pending_ratification", "active")
    e2 = entry("medium", "active", decided_on="2026-02-20")
    e3 = entry("low", "removed", decided_on="2025-06-01")
    event(e3, "removed", "2026-03-15", "active", "removed")
    e4 = entry("high", "pending_ratification", emergency="2026-06-20")
    e5 = entry("medium", "under_appeal", decided_on="2026-03-01")
    old = entry("low", "removed", decided_on="2024-01-01")
    event(old, "removed", "2025-01-01", "active", "removed")
    w.update(e1=e1, e2=e2, e3=e3, e4=e4, e5=e5)

    # Reviews: e3 removed before its due date; e2's kept after it.
    decision(
        kind="review",
        outcome="remove",
        day="2026-03-15",
        entry=e3,
        review_was_due_on=date(2026, 6, 1),
    )
    decision(
        kind="review",
        outcome="keep",
        day="2026-05-10",
        entry=e2,
        review_was_due_on=date(2026, 4, 1),
    )
    decision(
        kind="review", outcome="keep", day="2026-05-11", entry=e2
    )  # before due dates were kept
    decision(kind="review", outcome="defer", day="2026-05-12", entry=e2)  # not a decision on it

    # Appeals.
    recorder = UserFactory()
    Appeal.objects.create(
        entry=e5, received_on=date(2026, 4, 10), unreasonable=True, recorded_by=recorder
    )
    Appeal.objects.create(
        entry=e2,
        received_on=date(2026, 5, 1),
        late=True,
        unreasonable=True,
        outcome="dismissed",
        decided_at=at("2026-05-20"),
        recorded_by=recorder,
    )
    Appeal.objects.create(
        entry=old,
        received_on=date(2025, 11, 1),
        outcome="upheld",
        decided_at=at("2025-11-20"),
        unreasonable=True,
        recorded_by=recorder,
    )

    # Access grants.
    officer = UserFactory(service=libraries)
    approved = {"status": "approved", "rationale": "Need to know."}
    AccessGrant.objects.create(
        service=housing,
        low=True,
        medium=True,
        approved_at=at("2026-01-05"),
        recertify_by=date(2027, 1, 1),
        **approved,
    )
    AccessGrant.objects.create(user=officer, high=True, approved_at=at("2026-02-01"), **approved)
    AccessGrant.objects.create(
        service=housing,
        high=True,
        status="revoked",
        rationale="x",
        approved_at=at("2026-01-05"),
        closed_at=at("2026-05-01"),
    )
    AccessGrant.objects.create(service=libraries, low=True, status="requested", rationale="x")
    AccessGrant.objects.create(
        service=libraries, low=True, approved_at=at("2026-07-10"), **approved
    )
    AccessGrant.objects.create(
        service=libraries,
        medium=True,
        approved_at=at("2026-01-10"),
        recertify_by=date(2026, 6, 1),
        **approved,
    )

    # Letters.
    def letter(kind, method, sent_on, entry=None, status="sent"):
        return Letter.objects.create(
            kind=kind,
            status=status,
            person=(entry.person if entry else PersonFactory()),
            entry=entry,
            sent_method=method,
            sent_on=date.fromisoformat(sent_on) if sent_on else None,
            recipient_name="Someone",
            incident_description="x",
            incident_location="x",
            incident_when="x",
            why_unreasonable="x",
            sender_name="x",
        )

    medium_letter = letter("low_medium", "post", "2026-03-03", entry=e2)
    letter("low_medium", "post", "2026-03-03")
    high_letter = letter("high", "email", "2026-03-03", entry=e1)
    letter("low_medium", "post", "2026-07-05")
    letter("low_medium", "", None, status="draft")

    # Equalities returns: 6 women and 1 man on the medium letter, 5 women on the high one.
    def returned(letter, sex, day="2026-04-01"):
        QuestionnaireReturn.objects.create(
            letter=letter,
            categories={"sex": sex, "disability": "no"},
            received_on=date.fromisoformat(day),
            recorded_by=recorder,
        )

    for _ in range(6):
        returned(medium_letter, "female")
    returned(medium_letter, "male")
    for _ in range(5):
        returned(high_letter, "female")
    returned(high_letter, "male", day="2026-07-01")  # after the period
    return w


def values(table):
    return {row.label: row.values for row in table.rows}


def test_referrals_are_counted_by_source_service_and_outcome(world):
    sources, services, outcomes, categories = figures.referral_tables(PERIOD)
    assert values(sources) == {
        "Web form": [4],
        "spocassurance mailbox": [1],
        "Health and Safety escalation": [0],
    }
    assert sources.totals == [5]
    assert values(services) == {
        "Housing": [3, 1],
        "Libraries": [1, 0],
        "No service given": [1, 0],
    }
    got = values(outcomes)
    assert got["Added to the schedule"] == [1]
    assert got["Letter of expected behaviour (panel)"] == [1]
    assert got["Out of scope"] == [1]
    # The mailbox draft and the deferred referral.
    assert got["Not decided yet"] == [2]
    assert sum(v[0] for v in got.values()) == 5
    got = values(categories)
    assert got[
        "Being abusive, threatening or acting in a manner intended to intimidate staff, "
        "including racist, sexist, homophobic or other discriminatory language"
    ] == [3]
    assert got["Threats of violence"] == [1]
    assert categories.rows[0].values == [3]


def test_time_to_decision_counts_decisions_made_in_the_period(world):
    table = figures.decision_time_table(PERIOD)
    assert values(table) == {
        "Within 28 days": [1],
        "29 to 56 days": [1],
        "57 to 91 days": [0],
        "More than 91 days": [0],
    }
    assert table.totals == [2]
    assert "Median 19 days" in table.notes
    assert "longest 45 days" in table.notes


def test_the_schedule_over_time_by_tier_and_status(world):
    over_time, status_over_time, at_end, movement = figures.schedule_tables(PERIOD)
    months = values(over_time)
    # Low, Medium, High, All.
    assert months["Jan 2026"] == [1, 0, 1, 2]
    assert months["Feb 2026"] == [1, 1, 1, 3]
    assert months["Mar 2026"] == [0, 2, 1, 3]
    assert months["Jun 2026"] == [0, 2, 2, 4]
    assert len(over_time.rows) == 6
    # Pending ratification, Active, Under appeal, All: each entry's status that day.
    assert values(status_over_time) == {
        "Jan 2026": [1, 1, 0, 2],
        "Feb 2026": [0, 3, 0, 3],
        "Mar 2026": [0, 3, 0, 3],
        "Apr 2026": [0, 2, 1, 3],
        "May 2026": [0, 2, 1, 3],
        "Jun 2026": [1, 2, 1, 4],
    }
    assert values(at_end) == {
        "Pending ratification": [0, 0, 1, 1],
        "Active": [0, 1, 1, 2],
        "Under appeal": [0, 1, 0, 1],
    }
    assert at_end.totals == [0, 2, 2, 4]
    assert values(movement) == {"Low": [0, 1], "Medium": [2, 0], "High": [2, 0]}


def test_the_status_at_the_period_end_is_read_from_the_history(world):
    """At the end of January, e1 was still waiting for ratification, whatever it is now."""
    _, _, at_end, _ = figures.schedule_tables(Period(start=date(2026, 1, 1), end=date(2026, 1, 31)))
    assert values(at_end)["Pending ratification"] == [0, 0, 1, 1]
    assert values(at_end)["Active"] == [1, 0, 0, 1]


def test_emergency_additions_and_their_ratification(world):
    outcomes, timing = figures.emergency_tables(PERIOD)
    assert values(outcomes) == {
        "Ratified by the panel": [1],
        "Not ratified: removed": [0],
        "Waiting for ratification": [1],
    }
    assert outcomes.totals == [2]
    assert values(timing)["Within 28 days"] == [1]
    assert "Median 26 days" in timing.notes


def test_reviews_on_time_and_overdue(world):
    table = figures.review_table(PERIOD)
    assert values(table) == {
        "Kept for another 12 months": [0, 1, 1, 2],
        "Removed": [1, 0, 0, 1],
        "Referred to Legal Services": [0, 0, 0, 0],
    }
    assert table.totals == [1, 1, 1, 3]


def test_appeals_received(world):
    table = figures.appeal_table(PERIOD)
    assert values(table) == {
        "Received after the 28 working days": [1],
        "Upheld: removed from the schedule": [0],
        "Dismissed": [1],
        "Not decided yet": [1],
    }
    assert table.totals == [2]


def test_access_grants_in_force_at_the_period_end(world):
    table = figures.access_table(PERIOD)
    # Grants, to named officers, low, medium, high.
    assert values(table) == {"Housing": [1, 0, 1, 1, 0], "Libraries": [1, 1, 0, 0, 1]}
    assert table.totals == [2, 1, 1, 1, 1]


def test_letters_sent_by_kind_and_route(world):
    table = figures.letter_table(PERIOD)
    got = values(table)
    assert got["Low or medium risk: letter or email from the Operations Manager"] == [2, 0, 2]
    assert got["High risk: letter from Legal Services, with a cease and desist requirement"] == [
        0,
        1,
        1,
    ]
    assert table.totals == [2, 1, 3]


def test_equalities_withhold_small_counts_and_what_would_reveal_them(world, settings):
    settings.EQUALITIES_SUPPRESSION_THRESHOLD = 5
    tables = {table.slug: table for table in equality_tables(PERIOD)}
    assert values(tables["equalities-returns"]) == {
        "Sent with a letter in the period": [3],
        "Returned in the period": [12],
    }
    sex = values(tables["equalities-sex"])
    withheld = Suppressed(5)
    # Low, Medium, High, No schedule entry, All.
    assert sex["Male"][1] == withheld  # one man: 1 < 5
    assert sex["Female"][1] == withheld  # 6 women, withheld as 7 - 6 would give the 1 away
    assert sex["Prefer not to say"] == [0, 0, 0, 0, 0]
    assert tables["equalities-sex"].totals[-1] == 12
    # Every answered the disability question ("No"): 7 and 5 are shown.
    disability = values(tables["equalities-disability"])
    assert disability["No"] == [0, 7, 5, 0, 12]
    assert disability["Not answered"] == [0, 0, 0, 0, 0]
    assert str(withheld) == "fewer than 5"


def test_the_threshold_is_a_setting(world, settings):
    settings.EQUALITIES_SUPPRESSION_THRESHOLD = 2
    tables = {table.slug: table for table in equality_tables(PERIOD)}
    sex = values(tables["equalities-sex"])
    assert sex["Male"][1] == Suppressed(2)
    # The 1 is withheld, then the 6 beside it (7 - 6 would give it away) and the women's total
    # (11 - 6 - 5 would); the 5 can be shown: the man and the six women are no longer separable.
    assert sex["Female"][1] == Suppressed(2)
    assert sex["Female"][2] == 5
    assert tables["equalities-sex"].totals[-1] == 12
    assert values(tables["equalities-disability"])["No"] == [0, 7, 5, 0, 12]


def test_no_table_names_anyone(world):
    names = {p.family_name for p in (world["e1"].person, world["e2"].person)}
    text = " ".join(
        str(cell)
        for table in all_tables(statistics(PERIOD))
        for line in table.cells()
        for cell in line
    )
    text += " ".join(table.summary + table.notes for table in all_tables(statistics(PERIOD)))
    assert not any(name in text for name in names)


def test_days_read_as_words():
    assert str(Days(1)) == "1 day"
    assert str(Days(12)) == "12 days"
    assert str(Days(None)) == "none"
