"""Referrals nobody linked to a person (a mailbox draft closed by triage, or found out of scope):
the retention schedule anonymises each on its own, ``closed`` or ``out_of_scope`` days after it
ended, with nothing identifying left (its fields, incidents, timeline, evidence files, raw email
and its audit rows); never while it, or the referral it was merged into, is open; never twice; a
referral linked to a person is the person path's alone; the page lists exactly what the task
does; the hash chain still verifies."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.apps import apps
from django.core.files.storage import storages
from django.urls import reverse

from referrals.models import Evidence, InboundEmail, Incident, Person, Referral
from referrals.statuses import ReferralStatus
from rights.models import Anonymisation, RetentionRule
from rights.retention import due_within
from rights.services import retention as services
from ubpanel.audit_chain import seal_pending, walk_chain

from .factories import ActiveEntryFactory, MailboxDraftFactory
from .factories_retention import (
    UNLINKED_SECRETS,
    at,
    person_with_details,
    referral_for,
    unlinked_referral,
)

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
ENDED = datetime.datetime(2023, 4, 3, 11, 0, tzinfo=UTC)
CLOSED_DUE = ENDED.date() + datetime.timedelta(days=2 * 365)
OUT_OF_SCOPE_DUE = ENDED.date() + datetime.timedelta(days=365)
URL = reverse("rights:retention")


def run(today):
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(3, 30), UTC)):
        return services.retention_apply(today=today)


def anonymised(referral) -> bool:
    return Anonymisation.objects.filter(referral=referral).exists()


def leaks(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(s in line for s in UNLINKED_SECRETS)]


def everything_in_the_database() -> str:
    texts = []
    for model in apps.get_models():
        texts.extend(f"{model._meta.label}: {row}" for row in model.objects.values())
    return "\n".join(texts)


def audit_rows_about(referral) -> list[LogEntry]:
    """The rows about the referral and its incidents, evidence, timeline and email."""
    records = {
        "referral": [referral.pk],
        "incident": list(Incident.objects.filter(referral=referral).values_list("pk", flat=True)),
        "evidence": list(Evidence.objects.filter(referral=referral).values_list("pk", flat=True)),
        "referralevent": list(referral.events.values_list("pk", flat=True)),
        "inboundemail": list(
            InboundEmail.objects.filter(referral=referral).values_list("pk", flat=True)
        ),
    }
    return [
        row
        for row in LogEntry.objects.select_related("content_type").order_by("pk")
        if row.object_id in records.get(row.content_type.model, [])
    ]


@pytest.fixture
def closed():
    return unlinked_referral(ENDED)


def test_an_unlinked_closed_referral_is_anonymised_after_the_closed_period_leaving_nothing(closed):
    files = [
        *(e.file.name for e in Evidence.objects.filter(referral=closed)),
        closed.inbound_email.raw.name,
    ]
    assert leaks("\n".join(str(vars(row)) for row in audit_rows_about(closed)))

    done = run(CLOSED_DUE)

    assert done["referrals_anonymised"] == 1
    referral = Referral.objects.get(pk=closed.pk)
    assert referral.person_id is None
    for name in (
        "subject_given_names",
        "subject_family_name",
        "subject_aliases",
        "subject_address",
        "subject_postcode",
        "subject_email",
        "subject_phone",
        "summary",
        "health_details",
        "legal_advice",
        "police_reference",
        "police_not_reported_reason",
    ):
        assert getattr(referral, name) == "", name
    assert referral.subject_date_of_birth is None
    incident = referral.incidents.get()
    assert (incident.description, incident.location, incident.staff_affected) == (
        "[anonymised]",
        "[anonymised]",
        "",
    )
    assert {event.message for event in referral.events.all()} == {"[anonymised]"}
    evidence = referral.evidence.get()
    assert (evidence.file.name, evidence.original_name) == ("", "")
    assert evidence.file_removed_at is not None
    email = InboundEmail.objects.get(referral=referral)
    assert (email.raw.name, email.body, email.subject, email.sender) == ("", "", "", "")
    assert email.raw_removed_at is not None
    for name in files:
        assert not storages["private"].exists(name)
    # What statistics need stays.
    assert (referral.status, referral.behaviour_categories) == (ReferralStatus.CLOSED, ["abusive"])
    # The audit rows about it and its records: reprs, changes and details gone.
    rows = audit_rows_about(referral)
    assert len(rows) > 5
    assert not LogEntry.objects.filter(pk__in=[r.pk for r in rows], redaction__isnull=True)
    assert leaks("\n".join(str(vars(row)) for row in rows)) == []
    assert leaks(everything_in_the_database()) == []


def test_the_act_is_recorded_with_its_rule_and_counts(closed):
    # (Its raw email went first the same night, by its own rule: 90 days after it arrived.)
    assert run(CLOSED_DUE) == {"raw_email_removals": 1, "referrals_anonymised": 1}

    act = Anonymisation.objects.get(referral=closed)
    assert act.person_id is None
    assert act.rule == RetentionRule.CLOSED_WITHOUT_INCLUSION
    assert act.counts["referrals"] == 1
    assert act.counts["incidents"] == 1
    assert act.counts["evidence_files"] == 1
    assert act.counts["referral_events"] == 1
    assert act.counts["audit_rows_redacted"] > 5


def test_the_day_before_the_closed_period_ends_it_is_untouched(closed):
    run(CLOSED_DUE - datetime.timedelta(days=1))

    referral = Referral.objects.get(pk=closed.pk)
    assert referral.subject_family_name == "Unlinkedby"
    assert referral.incidents.get().description == "Unlinkedby shouted at Pat"
    assert not anonymised(referral)


@pytest.mark.parametrize("status", [ReferralStatus.OUT_OF_SCOPE, ReferralStatus.CLOSED])
def test_one_out_of_scope_at_any_point_goes_after_the_out_of_scope_period(status):
    referral = unlinked_referral(ENDED, status=status, out_of_scope=True)

    run(OUT_OF_SCOPE_DUE - datetime.timedelta(days=1))
    assert not anonymised(referral)
    assert Referral.objects.get(pk=referral.pk).subject_family_name == "Unlinkedby"

    assert run(OUT_OF_SCOPE_DUE)["referrals_anonymised"] == 1
    assert Anonymisation.objects.get(referral=referral).rule == RetentionRule.OUT_OF_SCOPE
    assert Referral.objects.get(pk=referral.pk).subject_family_name == ""


def test_an_open_unlinked_referral_is_never_touched():
    with at(ENDED):
        draft = MailboxDraftFactory(subject_family_name="Unlinkedby", summary="Unlinkedby shouted")

    run(CLOSED_DUE + datetime.timedelta(days=3650))

    draft.refresh_from_db()
    assert (draft.subject_family_name, draft.summary) == ("Unlinkedby", "Unlinkedby shouted")
    assert not anonymised(draft)


def test_one_merged_into_an_open_referral_is_untouched():
    with at(ENDED):
        still_open = MailboxDraftFactory(status=ReferralStatus.SUBMITTED)
    merged = unlinked_referral(ENDED, status=ReferralStatus.MERGED, merged_into=still_open)

    run(CLOSED_DUE + datetime.timedelta(days=3650))

    assert not anonymised(merged)
    assert Referral.objects.get(pk=merged.pk).subject_family_name == "Unlinkedby"


def test_one_merged_into_a_closed_unlinked_referral_goes_with_it():
    into = unlinked_referral(ENDED, given="Ingrid", family="Intoby")
    merged = unlinked_referral(
        ENDED - datetime.timedelta(days=30), status=ReferralStatus.MERGED, merged_into=into
    )

    run(CLOSED_DUE - datetime.timedelta(days=1))
    assert not anonymised(merged)

    assert run(CLOSED_DUE)["referrals_anonymised"] == 2
    assert Anonymisation.objects.get(referral=merged).rule == RetentionRule.CLOSED_WITHOUT_INCLUSION


def test_one_merged_into_a_persons_referral_goes_once_the_person_has_gone():
    with at(ENDED):
        person = person_with_details("Petra", "Personby")
    into, _evidence, _email = referral_for(person, status=ReferralStatus.CLOSED, ended_at=ENDED)
    merged = unlinked_referral(
        ENDED - datetime.timedelta(days=30), status=ReferralStatus.MERGED, merged_into=into
    )

    # The person goes on their due day; the merged referral at the next run after.
    assert run(CLOSED_DUE)["people_anonymised"] == 1
    assert not anonymised(merged)
    assert run(CLOSED_DUE + datetime.timedelta(days=1)) == {"referrals_anonymised": 1}
    assert Referral.objects.get(pk=merged.pk).subject_family_name == ""


def test_a_second_run_changes_nothing(closed):
    run(CLOSED_DUE)
    rows = LogEntry.objects.count()

    assert run(CLOSED_DUE) == {}
    assert run(CLOSED_DUE + datetime.timedelta(days=400)) == {}
    assert LogEntry.objects.count() == rows
    assert Anonymisation.objects.filter(referral=closed).count() == 1


def test_a_referral_linked_to_a_person_is_the_person_paths_alone():
    with at(ENDED):
        kept = person_with_details("Lavinia", "Livingstone")
        ActiveEntryFactory(person=kept)
    referral, _evidence, _email = referral_for(kept, status=ReferralStatus.CLOSED, ended_at=ENDED)
    with at(ENDED):
        gone = person_with_details("Cedric", "Closewood")
    theirs, _evidence, _email = referral_for(gone, status=ReferralStatus.CLOSED, ended_at=ENDED)

    done = run(CLOSED_DUE + datetime.timedelta(days=3650))

    assert done.get("referrals_anonymised") is None
    assert done["people_anonymised"] == 1
    assert Referral.objects.get(pk=referral.pk).subject_family_name == "Livingstone"
    assert not Anonymisation.objects.filter(referral__isnull=False).exists()
    assert Person.objects.get(pk=gone.pk).anonymised_at is not None
    assert Referral.objects.get(pk=theirs.pk).subject_family_name == ""


def test_the_hash_chain_still_verifies_afterwards(closed):
    run(CLOSED_DUE)

    seal_pending(everything=True)
    state = walk_chain()
    assert state.held, state.problem


# --- The retention page -----------------------------------------------------------------------


def page_day():
    return time_machine.travel(
        datetime.datetime.combine(CLOSED_DUE - datetime.timedelta(days=10), datetime.time(12), UTC),
        tick=False,
    )


def test_the_page_lists_it_by_its_reference_exactly_as_the_task_then_does(chair_client, closed):
    later = unlinked_referral(ENDED + datetime.timedelta(days=45), given="Lena", family="Laterly")
    today = CLOSED_DUE - datetime.timedelta(days=10)
    with page_day():
        listed = {(d.rule, d.referral.pk) for d in due_within(30) if d.referral is not None}
        response = chair_client.get(URL)

    text = response.content.decode()
    assert f"Referral {closed.reference} (nobody linked)" in text
    assert f'data-testid="due-closed-referral-{closed.pk}"' in text
    assert later.reference not in text
    for offset in range(31):
        run(today + datetime.timedelta(days=offset))
    done = {(a.rule, a.referral_id) for a in Anonymisation.objects.filter(referral__isnull=False)}
    assert listed == done == {(RetentionRule.CLOSED_WITHOUT_INCLUSION, closed.pk)}


def test_the_page_view_is_audited_against_the_referral(chair_client, closed):
    with page_day():
        chair_client.get(URL)

    assert LogEntry.objects.filter(
        additional_data__event="list",
        content_type__model="referral",
        object_id=closed.pk,
        actor=chair_client.user,
    ).exists()


def test_the_latest_acts_name_the_referral(chair_client, closed):
    run(CLOSED_DUE)

    response = chair_client.get(URL)

    assert f"Referral {closed.reference} (nobody linked)" in response.content.decode()


def test_the_page_makes_the_same_number_of_queries_however_many_referrals_are_due(
    chair_client, django_assert_max_num_queries
):
    unlinked_referral(ENDED)
    with page_day(), django_assert_max_num_queries(20) as one:
        chair_client.get(URL)
    for n in range(5):
        unlinked_referral(ENDED + datetime.timedelta(days=n), given="Many", family=f"Manyby{n}")
    with page_day(), django_assert_max_num_queries(len(one.captured_queries)):
        response = chair_client.get(URL)
    assert response.content.decode().count("(nobody linked)") == 6
