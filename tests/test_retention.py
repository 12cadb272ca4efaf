"""The retention schedule's daily run: a person removed long enough ago is anonymised, with nothing
identifying left anywhere in the database (files and the audit trail included), while a person
with a live entry or an open referral is never touched; the periods of each kind; file rules;
a second run changes nothing; what statistics need is kept."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.apps import apps
from django.core.files.storage import storages
from django.forms.models import model_to_dict

from referrals.models import Evidence, InboundEmail, Person
from referrals.statuses import ReferralStatus
from rights.models import Anonymisation, RetentionRule
from rights.services import retention as services
from rights.tasks.retention import retention_apply as daily_task
from rights.who_viewed import audit_entries_about
from schedule.models import Entry, EntryStatus, SearchKey
from ubpanel.audit_chain import seal_pending, walk_chain

from .factories import ActiveEntryFactory, SubmittedReferralFactory
from .factories_retention import SECRETS, at, person_with_details, referral_for, removed_case

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
REMOVED_AT = datetime.datetime(2019, 3, 1, 10, 0, tzinfo=UTC)
TODAY = datetime.date(2025, 3, 10)  # six years (6 × 365 days) and a little after the removal


def run(today=TODAY):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(3, 30), UTC)):
        return services.retention_apply(today=today)


def snapshot(person) -> dict:
    """Every row of the person's, field by field."""
    rows = {"person": model_to_dict(Person.objects.get(pk=person.pk))}
    for name in ("aliases", "addresses", "emails", "phones", "referrals", "schedule_entries"):
        rows[name] = [model_to_dict(row) for row in getattr(person, name).order_by("pk")]
    rows["evidence"] = [
        model_to_dict(e) for e in Evidence.objects.filter(referral__person=person).order_by("pk")
    ]
    return rows


def everything_in_the_database() -> str:
    texts = []
    for model in apps.get_models():
        texts.extend(f"{model._meta.label}: {row}" for row in model.objects.values())
    return "\n".join(texts)


@pytest.fixture
def removed():
    return removed_case(REMOVED_AT)


@pytest.fixture
def live():
    with at(REMOVED_AT):
        person = person_with_details("Lavinia", "Livingstone")
        referral, _evidence, _email = referral_for(person)
        entry = ActiveEntryFactory(person=person)
        entry.referrals.add(referral)
    return person


@pytest.fixture
def open_referral():
    with at(REMOVED_AT):
        person = person_with_details("Oswin", "Openshaw")
        referral_for(person, status=ReferralStatus.CLOSED)
        SubmittedReferralFactory(person=person)
    return person


def test_a_person_removed_long_enough_ago_is_anonymised_and_nothing_identifying_is_left(
    removed, live, open_referral
):
    live_before, open_before = snapshot(live), snapshot(open_referral)
    files = [removed.evidence.file.name, removed.pdf.file.name, removed.email.raw.name]

    done = run()

    # (The others' old raw emails go by their own rule, whatever else stands: asserted below.)
    assert done["people_anonymised"] == 1
    person = Person.objects.get(pk=removed.person.pk)
    assert person.anonymised_at is not None
    assert str(person) == f"Anonymised person {person.pk}"
    assert person.date_of_birth is None
    assert person.health_and_disability == ""
    assert not person.aliases.exists()
    assert not person.addresses.exists()
    assert not person.emails.exists()
    assert not person.phones.exists()
    assert not person.adjustments.exists()
    assert not SearchKey.objects.filter(person_id=person.pk).exists()
    for name in files:
        assert not storages["private"].exists(name)
    database = everything_in_the_database()
    leaks = [line for line in database.splitlines() if any(s in line for s in SECRETS)]
    assert leaks == [], "\n".join(leaks)
    # The people kept: not one field changed, and their audit rows are as written.
    assert snapshot(live) == live_before
    assert snapshot(open_referral) == open_before
    for kept in (live, open_referral):
        rows = audit_entries_about(kept.pk)
        assert rows.exists()
        # (Only their old raw email's rows: the raw-email rule removed what the email said.)
        redacted = rows.filter(redaction__isnull=False)
        assert set(redacted.values_list("content_type__model", flat=True)) == {"inboundemail"}
        assert kept.family_name in str(list(rows.values("object_repr", "changes")))


def test_the_anonymisation_is_recorded_with_its_rule_and_counts(removed):
    run()

    anonymisation = Anonymisation.objects.get(person=removed.person)
    assert anonymisation.rule == RetentionRule.REMOVED
    counts = anonymisation.counts
    assert counts["aliases"] == 1
    assert counts["referrals"] == 1
    assert counts["entries"] == 1
    assert counts["evidence_files"] == 1
    assert counts["letter_pdfs"] == 1
    assert counts["raw_emails"] == 1
    assert counts["audit_rows_redacted"] > 5


def test_every_change_is_in_the_audit_trail_and_the_chain_still_holds(removed):
    before = LogEntry.objects.count()

    run()

    changes = LogEntry.objects.filter(pk__gt=before).exclude(action=LogEntry.Action.ACCESS)
    changed = {(entry.content_type.model, entry.action) for entry in changes}
    assert ("person", LogEntry.Action.UPDATE) in changed
    assert ("personalias", LogEntry.Action.DELETE) in changed
    assert ("referral", LogEntry.Action.UPDATE) in changed
    assert ("entry", LogEntry.Action.UPDATE) in changed
    assert ("evidence", LogEntry.Action.UPDATE) in changed
    assert ("anonymisation", LogEntry.Action.CREATE) in changed
    seal_pending(everything=True)
    state = walk_chain()
    assert state.held, state.problem


def test_the_daily_task_acts_as_no_user(removed):
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(3, 30), UTC)):
        done = daily_task.apply().get()

    assert done == {"people_anonymised": 1}
    person_changes = LogEntry.objects.filter(
        content_type__model="person", object_id=removed.person.pk, action=LogEntry.Action.UPDATE
    )
    assert [entry.actor_id for entry in person_changes] == [None]


def test_what_statistics_need_is_kept(removed):
    run()

    entry = Entry.objects.get(pk=removed.entry.pk)
    assert (entry.tier, entry.status) == (removed.entry.tier, EntryStatus.REMOVED)
    assert entry.decided_on == removed.entry.decided_on
    referral = entry.referrals.get()
    assert referral.behaviour_categories == ["abusive"]
    assert referral.suggested_tier == "low"
    assert referral.created_at == removed.referral.created_at
    assert referral.service_id == removed.referral.service_id
    assert Person.objects.filter(anonymised_at__isnull=False).count() == 1
    assert Evidence.objects.filter(referral=referral).count() == 1


def test_a_second_run_changes_nothing(removed):
    run()
    rows = LogEntry.objects.count()

    assert run() == {}
    assert run(TODAY + datetime.timedelta(days=400)) == {}
    assert LogEntry.objects.count() == rows
    assert Anonymisation.objects.count() == 1


def test_a_day_early_nothing_is_done(removed):
    due_on = REMOVED_AT.date() + datetime.timedelta(days=6 * 365)

    assert run(due_on - datetime.timedelta(days=1)).get("people_anonymised") is None
    assert run(due_on) == {"people_anonymised": 1}


def test_a_new_referral_about_a_removed_person_stops_it(removed):
    SubmittedReferralFactory(person=removed.person)

    run()

    assert Person.objects.get(pk=removed.person.pk).anonymised_at is None


def test_a_live_entry_stops_it_whatever_the_age_of_the_old_case(removed):
    with at(REMOVED_AT):
        ActiveEntryFactory(person=removed.person)

    run(TODAY + datetime.timedelta(days=3650))

    assert Person.objects.get(pk=removed.person.pk).anonymised_at is None


def test_one_failure_is_logged_and_the_rest_still_go(removed, monkeypatch, caplog):
    other = removed_case(REMOVED_AT, given="Ophelia", family="Other")
    real = services.person_anonymise

    def failing(*, person, **kwargs):
        if person.pk == removed.person.pk:
            raise RuntimeError("storage down")
        return real(person=person, **kwargs)

    monkeypatch.setattr(services, "person_anonymise", failing)

    done = run()

    assert done == {"people_anonymised": 1, "failures": 1}
    assert Person.objects.get(pk=other.person.pk).anonymised_at is not None
    assert Person.objects.get(pk=removed.person.pk).anonymised_at is None
    assert "could not act" in caplog.text


# --- Closed without inclusion, out of scope ----------------------------------------------------


def _closed_person(ended_at, *, out_of_scope=False, status=ReferralStatus.CLOSED):
    with at(ended_at):
        person = person_with_details("Cedric", "Closewood")
    referral_for(person, status=status, ended_at=ended_at, out_of_scope=out_of_scope)
    return person


@pytest.mark.parametrize(
    ("status", "out_of_scope", "period", "rule"),
    [
        (ReferralStatus.CLOSED, False, 2 * 365, RetentionRule.CLOSED_WITHOUT_INCLUSION),
        (ReferralStatus.LETTER_RECOMMENDED, False, 2 * 365, RetentionRule.CLOSED_WITHOUT_INCLUSION),
        (ReferralStatus.OUT_OF_SCOPE, True, 365, RetentionRule.OUT_OF_SCOPE),
        (ReferralStatus.CLOSED, True, 365, RetentionRule.OUT_OF_SCOPE),
    ],
)
def test_a_referral_that_ended_without_inclusion_is_kept_for_its_period(
    status, out_of_scope, period, rule
):
    ended = datetime.datetime(2023, 1, 10, 12, tzinfo=UTC)
    person = _closed_person(ended, out_of_scope=out_of_scope, status=status)
    due_on = ended.date() + datetime.timedelta(days=period)

    run(due_on - datetime.timedelta(days=1))
    assert Person.objects.get(pk=person.pk).anonymised_at is None

    run(due_on)
    assert Person.objects.get(pk=person.pk).anonymised_at is not None
    assert Anonymisation.objects.get(person=person).rule == rule


def test_the_latest_end_decides_so_an_old_removal_outlasts_a_newer_out_of_scope_referral(removed):
    # Out of scope a year after the removal: one year's keeping ends long before the removal's six.
    referral_for(
        removed.person,
        status=ReferralStatus.OUT_OF_SCOPE,
        ended_at=REMOVED_AT + datetime.timedelta(days=365),
        out_of_scope=True,
    )

    run(REMOVED_AT.date() + datetime.timedelta(days=3 * 365))
    assert Person.objects.get(pk=removed.person.pk).anonymised_at is None

    run()
    assert Anonymisation.objects.filter(person=removed.person).first().rule == RetentionRule.REMOVED


# --- Files only ----------------------------------------------------------------------------------


def test_evidence_files_and_letter_pdfs_go_two_years_after_the_case_ended(removed):
    two_years = REMOVED_AT.date() + datetime.timedelta(days=2 * 365)
    names = [removed.evidence.file.name, removed.pdf.file.name]

    assert run(two_years - datetime.timedelta(days=1)).get("evidence_removals") is None
    done = run(two_years)

    assert done == {"evidence_removals": 1}  # (its raw email went the day before: 90 days)
    evidence = Evidence.objects.get(pk=removed.evidence.pk)
    assert evidence.file_removed_at is not None
    assert evidence.file.name == ""
    assert evidence.original_name == "Quarrington call log.pdf"  # the record stays till anonymised
    for name in names:
        assert not storages["private"].exists(name)
    assert Person.objects.get(pk=removed.person.pk).anonymised_at is None
    assert (
        Anonymisation.objects.filter(person=removed.person).first().rule == RetentionRule.EVIDENCE
    )


def test_a_live_persons_evidence_is_kept(live):
    evidence = Evidence.objects.get(referral__person=live)

    run(TODAY + datetime.timedelta(days=3650))

    assert Evidence.objects.get(pk=evidence.pk).file.name == evidence.file.name
    assert storages["private"].exists(evidence.file.name)


def _failed_email(received_at, **kwargs):
    from django.core.files.base import ContentFile

    with at(received_at):
        return InboundEmail.objects.create(
            message_id=f"<failed-{received_at:%s}@mail.example>",
            status="failed",
            failure_reason="Could not be read",
            sender="zeb.q@example.net",
            subject="Quarrington",
            body="Zebedee Quarrington wrote this",
            raw=ContentFile(b"Quarrington", name="raw.eml"),
            **kwargs,
        )


def test_a_raw_email_goes_ninety_days_after_it_arrived_once_no_open_referral_needs_it(db):
    arrived = datetime.datetime(2025, 1, 1, 9, tzinfo=UTC)
    failed = _failed_email(arrived)
    name = failed.raw.name
    with at(arrived):
        needed = _failed_email(arrived + datetime.timedelta(seconds=1))
        needed.referral = SubmittedReferralFactory()
        needed.save()

    assert run(arrived.date() + datetime.timedelta(days=89)) == {}
    done = run(arrived.date() + datetime.timedelta(days=90))

    assert done == {"raw_email_removals": 1}
    failed.refresh_from_db()
    assert failed.raw_removed_at is not None
    assert (failed.raw.name, failed.body, failed.subject, failed.sender) == ("", "", "", "")
    assert failed.message_id  # kept: the mailbox must not import it again
    assert not storages["private"].exists(name)
    needed.refresh_from_db()
    assert needed.raw_removed_at is None
    assert "Quarrington" not in str(
        list(
            LogEntry.objects.filter(
                object_id=failed.pk, content_type__model="inboundemail"
            ).values()
        )
    )
