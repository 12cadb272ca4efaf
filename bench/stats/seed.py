# ruff: noqa: S608 -- the SQL is built from the benchmark's own constants, ids and choices' values.
"""A council's three years of the panel's work, for the statistics page: people, referrals, the
panel's meetings, agenda items and decisions, schedule entries with their history, appeals,
access grants, letters and returned equalities questionnaires.

Every table is filled by a handful of ``INSERT ... SELECT`` statements per batch of people
(``bench.database.insert_select``), not the ORM row by row: 100,000 people take a minute or two.
What each row gets (status, dates, tier, categories) is drawn from a hash of its id
(``bench.database.unit``), so the same seeding makes the same spread, batch by batch. The spread
follows the protocol's paths closely enough that every figure has rows to count: received
referrals of every source, service, status and behaviour, the panel's final decisions (some
after a deferral), entries added by the panel or in an emergency (ratified, not ratified,
waiting), removed or live, appeals open and decided, reviews, grants in force and lapsed, letters
sent by post and email, and returns with their categories.
"""

from __future__ import annotations

import time
from datetime import timedelta

from bench.database import ENTRY_TEXT, insert_select, unit

SERVICES = [
    "Housing",
    "Council Tax and Benefits",
    "Customer Services",
    "Adult Social Care",
    "Children's Services",
    "Waste and Recycling",
    "Planning",
    "Environmental Health",
    "Highways",
    "Libraries",
    "Revenues",
    "Parking",
]
YEARS = 1095  # days of history seeded: three years
MEETINGS = 42  # monthly meetings, four weeks apart, from a little over three years ago
REMOVED_PER_LIVE = 0.55  # entries removed over three years, per live entry
GRANTS_PER_PEOPLE = 400  # one access grant (a service's or an officer's) per this many people


def _array(values) -> str:
    """A SQL text array of our own constants (choices' values: no quotes in them)."""
    values = list(values)
    assert all("'" not in value for value in values)
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def _q(text: str) -> str:
    assert "'" not in text
    assert "%" not in text
    return f"'{text}'"


def setup(out) -> dict:
    """Users, services and the panel's meetings: what every batch of people refers to."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from panel.models import Meeting
    from ubpanel.models import Service, User
    from ubpanel.roles import Role, roles_ensure

    roles_ensure()
    services = [Service.objects.get_or_create(name=name)[0] for name in SERVICES]
    users = {}
    for role in (Role.PANEL_CHAIR, Role.AUDITOR, Role.REFERRING_MANAGER):
        user = User.objects.create_user(
            username=f"bench-stats-{role.value}",
            email=f"stats-{role.value}@council.example",
            service=services[0],
        )
        user.groups.add(Group.objects.get(name=role.label))
        users[role] = user
    frontline = Group.objects.get(name=Role.FRONTLINE.label)
    officers = []
    for i in range(24):
        officer = User.objects.create_user(
            username=f"bench-stats-officer-{i}", service=services[i % len(services)]
        )
        officer.groups.add(frontline)
        officers.append(officer.pk)
    now = timezone.localtime()
    first = (now - timedelta(days=YEARS + 35)).replace(hour=10, minute=0, second=0, microsecond=0)
    meetings = [first + timedelta(days=28 * i) for i in range(MEETINGS)]
    Meeting.objects.bulk_create(
        [
            Meeting(
                kind="monthly",
                format="physical" if i % 3 else "virtual",
                status="closed" if starts_at < now else "scheduled",
                starts_at=starts_at,
                location="Council Chamber",
            )
            for i, starts_at in enumerate(meetings)
        ]
    )
    return {
        "services": [service.pk for service in services],
        "officers": officers,
        "chair": users[Role.PANEL_CHAIR],
        "auditor": users[Role.AUDITOR],
        "manager": users[Role.REFERRING_MANAGER],
        "people": 0,
        "first_person": None,
    }


def seed(world: dict, *, upto: int, live_share: float, batch: int = 20_000, out) -> None:
    """Top the people up to ``upto``, each batch with everything that follows from them."""
    from django.db import connection

    started = time.perf_counter()
    while world["people"] < upto:
        size = min(batch, upto - world["people"])
        _batch(world, size=size, live_share=live_share)
        world["people"] += size
    with connection.cursor() as cursor:
        # VACUUM too, outside a transaction: otherwise autovacuum wakes for the
        # seeded rows in the middle of the measurements.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    print(f"Seeded {upto:,} people in {time.perf_counter() - started:.1f} s:", file=out)
    world["counts"] = print_counts(out)


def _batch(world: dict, *, size: int, live_share: float) -> None:
    from referrals.models import Person

    numbers = world["people"]
    ids = insert_select(
        Person,
        {
            "given_names": "'Alex'",
            "family_name": "'Stat' || g",
            "search_name": "'alex stat' || g",
        },
        f"generate_series({numbers + 1}, {numbers + size}) AS g",
        returning=True,
    )
    low, high = min(ids), max(ids)
    if world["first_person"] is None:
        world["first_person"] = low
    people = f"BETWEEN {low} AND {high}"
    first = world["first_person"]
    _referrals(world, people, first)
    _panel(people)
    _entries(world, people, first, live_share)
    _entry_events(people, first)
    _appeals(world, people)
    _reviews(people)
    _letters(people)
    _returns(world, people)
    _grants(world, size, low)


# --- Referrals and the panel ------------------------------------------------------------------

OPEN_STATUSES = ["submitted", "ready_for_panel", "more_information", "awaiting_legal_advice"]


def _referrals(world, people: str, first: int) -> None:
    """About 1.3 referrals a person, received over three years (the open ones in the last two
    months), from the web form and the mailbox, over the services, citing one or two behaviours.
    The first person's first referral is decided within the last twelve months at every size,
    so the page's median of the time to decision is a query at 10 people as at 100,000."""
    from referrals.models import BehaviourCategory, Referral

    u = lambda salt: unit("s.key", salt)  # noqa: E731
    status = f"""CASE WHEN p.id = {first} AND k = 1 THEN 'decided' ELSE (CASE
        WHEN x < 0.20 THEN 'decided' WHEN x < 0.35 THEN 'letter_recommended'
        WHEN x < 0.47 THEN 'out_of_scope' WHEN x < 0.60 THEN 'closed' WHEN x < 0.63 THEN 'merged'
        WHEN x < 0.71 THEN 'submitted' WHEN x < 0.79 THEN 'ready_for_panel'
        WHEN x < 0.83 THEN 'more_information' WHEN x < 0.85 THEN 'awaiting_legal_advice'
        ELSE 'draft' END) END"""
    source = f"""(
        SELECT person_id, key, first, {status} AS status FROM (
            SELECT p.id, p.id AS person_id, k, p.id * 3 + k AS key, p.id = {first} AND k = 1 AS first,
                   {unit("p.id * 3 + k", 1)} AS x
              FROM referrals_person p CROSS JOIN generate_series(1, 3) AS k
             WHERE p.id {people}
               AND (k = 1 OR (k = 2 AND {unit("p.id", 2)} < 0.25)
                    OR (k = 3 AND {unit("p.id", 3)} < 0.05))
        ) AS p
    ) AS s"""
    age = f"""(CASE WHEN s.first THEN 120
        WHEN s.status IN ({", ".join(map(_q, [*OPEN_STATUSES, "draft"]))}) THEN {u(8)} * 60
        ELSE {u(8)} * {YEARS} END) * interval '1 day'"""
    categories = _array([category.value for category in BehaviourCategory])
    count = len(BehaviourCategory)
    one = f"floor({u(5)} * {count})::int"
    services = _array(map(str, world["services"])) + "::bigint[]"
    insert_select(
        Referral,
        {
            "status": "s.status",
            "source": f"CASE WHEN {u(3)} < 0.7 OR s.first THEN 'web' ELSE 'mailbox' END",
            "service_id": f"({services})[1 + floor(power({u(4)}, 1.7) * {len(SERVICES)})::int]",
            "person_id": "s.person_id",
            "referrer_id": str(world["manager"].pk),
            "subject_given_names": "'Alex'",
            "subject_family_name": "'Stat'",
            "behaviour_categories": f"""jsonb_build_array(({categories})[1 + {one}])
                || CASE WHEN {u(6)} < 0.45 THEN jsonb_build_array(({categories})[
                    1 + mod({one} + 1 + floor({u(7)} * {count - 1})::int, {count})])
                   ELSE '[]'::jsonb END""",
            "summary": "'Shouted at reception staff.'",
            "submitted_at": f"CASE WHEN s.status = 'draft' THEN NULL ELSE now() - {age} END",
            "created_at": f"now() - {age} - {u(9)} * interval '2 days'",
        },
        source,
    )


def _panel(people: str) -> None:
    """Agenda items and the panel's final decisions: each decided referral at the first monthly
    meeting at least ten days after it arrived, one in eight of them deferred at the meeting
    before; a quarter of the referrals ready for the panel deferred once already. Decided
    referrals too recent for a meeting are ready for the panel instead."""
    from django.db import connection

    from panel.models import AgendaItem, Decision

    deciding = f"""(
        SELECT r.id AS referral_id, m.id AS meeting_id FROM referrals_referral r
        CROSS JOIN LATERAL (
            SELECT id FROM panel_meeting WHERE kind = 'monthly'
               AND starts_at >= r.submitted_at + interval '10 days' AND starts_at < now()
             ORDER BY starts_at LIMIT 1) m
         WHERE r.person_id {people} AND r.status = 'decided'
    ) AS s"""
    item = {
        "kind": f"CASE WHEN {unit('s.referral_id', 20)} < 0.1 THEN 'referral_back' "
        "ELSE 'new_referral' END",
        "position": "1 + mod(s.referral_id, 500)",
        "status": "'decided'",
        "referral_id": "s.referral_id",
        "meeting_id": "s.meeting_id",
    }
    insert_select(AgendaItem, item, deciding)
    deferred = f"""(
        SELECT i.referral_id, earlier.id AS meeting_id FROM panel_agendaitem i
          JOIN referrals_referral r ON r.id = i.referral_id
          JOIN panel_meeting m ON m.id = i.meeting_id
          JOIN panel_meeting earlier ON earlier.kind = 'monthly'
               AND earlier.starts_at = m.starts_at - interval '28 days'
         WHERE r.person_id {people} AND {unit("r.id", 21)} < 0.125
           AND earlier.starts_at >= r.submitted_at + interval '3 days'
        UNION ALL
        SELECT r.id, m.id FROM referrals_referral r
        CROSS JOIN LATERAL (
            SELECT id FROM panel_meeting WHERE kind = 'monthly'
               AND starts_at >= r.submitted_at + interval '3 days' AND starts_at < now()
             ORDER BY starts_at DESC LIMIT 1) m
         WHERE r.person_id {people} AND r.status = 'ready_for_panel'
           AND {unit("r.id", 22)} < 0.25
    ) AS s"""
    insert_select(AgendaItem, {**item, "kind": "'new_referral'"}, deferred)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral r SET status = 'ready_for_panel' "  # noqa: S608
            f"WHERE r.person_id {people} AND r.status = 'decided' "
            "AND NOT EXISTS (SELECT 1 FROM panel_agendaitem i WHERE i.referral_id = r.id)"
        )
    u = lambda salt: unit("s.item_id", salt)  # noqa: E731
    outcome = f"""CASE WHEN s.superseded OR s.referral_status <> 'decided' THEN 'defer'
        WHEN {u(23)} < 0.30 THEN 'add_to_schedule' WHEN {u(23)} < 0.55 THEN 'letter_only'
        WHEN {u(23)} < 0.65 AND s.kind = 'new_referral' THEN 'spoc_only'
        WHEN {u(23)} < 0.90 THEN 'no_action' ELSE 'refer_to_legal' END"""
    source = f"""(
        SELECT *, {outcome} AS outcome FROM (
            SELECT i.id AS item_id, i.kind, r.status AS referral_status,
                   m.starts_at + interval '1 hour' + mod(i.id, 180) * interval '1 minute'
                       AS decided_at,
                   EXISTS (SELECT 1 FROM panel_agendaitem later
                             JOIN panel_meeting lm ON lm.id = later.meeting_id
                            WHERE later.referral_id = i.referral_id
                              AND lm.starts_at > m.starts_at) AS superseded
              FROM panel_agendaitem i
              JOIN panel_meeting m ON m.id = i.meeting_id
              JOIN referrals_referral r ON r.id = i.referral_id
             WHERE r.person_id {people}
        ) AS s
    ) AS s"""
    insert_select(
        Decision,
        {
            "item_id": "s.item_id",
            "status": "'final'",
            "health_considered": "true",
            "meets_criteria": "s.outcome = 'add_to_schedule'",
            "tier": f"""CASE WHEN s.outcome <> 'add_to_schedule' THEN ''
                WHEN {u(24)} < 0.45 THEN 'low' WHEN {u(24)} < 0.8 THEN 'medium' ELSE 'high' END""",
            "outcome": "s.outcome",
            "reasons": "'The panel considered the referral and the evidence.'",
            "decided_at": "s.decided_at",
            "decided_on": "s.decided_at::date",
        },
        source,
    )


# --- The schedule -----------------------------------------------------------------------------


def _entries(world, people: str, first: int, live_share: float) -> None:
    """``live_share`` of the people with a live entry, and ``REMOVED_PER_LIVE`` as many again
    removed; one in seven added in an emergency (a fifth of the live ones among those still
    waiting for ratification, added in the last 25 days), the others by the panel, over three
    years. The first person's entry is an emergency addition of 60 days ago, ratified 20 days
    later (``_entry_events``), so the median time to ratification is a query at every size."""
    from schedule.models import Entry

    share = live_share * (1 + REMOVED_PER_LIVE)
    flags = f"""(
        SELECT p.id AS person_id, p.id = {first} AS first,
               p.id = {first} OR {unit("p.id", 30)} < {live_share} AS live,
               p.id = {first} OR {unit("p.id", 32)} < 0.15 AS emergency,
               {unit("p.id", 31)} AS tier_x, {unit("p.id", 33)} AS age_x,
               {unit("p.id", 34)} AS status_x
          FROM referrals_person p
         WHERE p.id {people} AND (p.id = {first} OR {unit("p.id", 30)} < {share})
    ) AS f"""
    pending = "(f.live AND f.emergency AND NOT f.first AND f.status_x < 0.2)"
    source = f"""(
        SELECT f.*, {pending} AS pending,
               now() - (CASE WHEN f.first THEN 60 WHEN {pending} THEN f.age_x * 25
                             ELSE f.age_x * {YEARS} END) * interval '1 day' AS on_at
          FROM {flags}
    ) AS s"""
    insert_select(
        Entry,
        {
            **{name: _q(text) for name, text in ENTRY_TEXT.items()},
            "person_id": "s.person_id",
            "tier": "CASE WHEN s.tier_x < 0.45 THEN 'low' WHEN s.tier_x < 0.8 THEN 'medium' "
            "ELSE 'high' END",
            "status": """CASE WHEN NOT s.live THEN 'removed' WHEN s.pending
                THEN 'pending_ratification' WHEN s.status_x > 0.92 THEN 'under_appeal'
                ELSE 'active' END""",
            "emergency_added_at": "CASE WHEN s.emergency THEN s.on_at END",
            "decided_on": "CASE WHEN NOT s.emergency THEN s.on_at::date END",
            "review_due_on": """CASE WHEN s.live AND NOT s.pending THEN (s.on_at
                + interval '1 year' * (1 + floor(extract(epoch FROM now() - s.on_at)
                / 31557600)))::date END""",
            "created_at": "s.on_at",
        },
        source,
    )


def _entry_history(people: str, first: int) -> str:
    """Each entry of the batch with when it was ratified (an emergency addition the panel
    ratified) and when it came off the schedule (removed ones: by the panel, an upheld appeal or
    a review, or an emergency addition not ratified)."""
    ratified = f"""CASE WHEN e.person_id = {first} THEN e.created_at + interval '20 days'
        WHEN e.emergency_added_at IS NOT NULL AND e.status <> 'pending_ratification'
             AND (e.status <> 'removed' OR {unit("e.id", 40)} < 0.7)
        THEN least(e.created_at + (3 + {unit("e.id", 41)} * 55) * interval '1 day',
                   now() - interval '1 hour') END"""
    return f"""(
        SELECT h.*, h.emergency AND h.ratified_at IS NULL AND h.status = 'removed' AS ended,
               CASE WHEN h.status <> 'removed' THEN NULL
                    WHEN h.emergency AND h.ratified_at IS NULL THEN least(
                        h.created_at + (10 + {unit("h.id", 42)} * 18) * interval '1 day', now())
                    ELSE coalesce(h.ratified_at, h.created_at) + {unit("h.id", 43)} * 0.95
                         * (now() - coalesce(h.ratified_at, h.created_at)) END AS off_at
          FROM (SELECT e.id, e.status, e.created_at, e.emergency_added_at IS NOT NULL AS emergency,
                       {ratified} AS ratified_at
                  FROM schedule_entry e WHERE e.person_id {people}) AS h
    )"""


def _entry_events(people: str, first: int) -> None:
    """What happened to each entry, as its history records it: the emergency addition, the
    ratification or the panel's decision, the individual notified, review reminders and
    escalations, and the removal (``removed``, or ``emergency_ended``)."""
    from schedule.models import EntryEvent

    events = f"""(
        WITH h AS {_entry_history(people, first)}
        SELECT id AS entry_id, 'emergency_addition' AS kind, '' AS from_status,
               'pending_ratification' AS to_status, created_at AS at FROM h WHERE emergency
        UNION ALL
        SELECT id, 'ratified', 'pending_ratification', 'active', ratified_at FROM h
         WHERE ratified_at IS NOT NULL
        UNION ALL
        SELECT id, 'panel_decision', '', 'active', created_at FROM h WHERE NOT emergency
        UNION ALL
        SELECT id, 'notified', '', '', created_at + interval '7 days' FROM h
         WHERE status <> 'pending_ratification' AND created_at < now() - interval '7 days'
        UNION ALL
        SELECT id, 'review_reminder', '', '', created_at + interval '335 days' FROM h
         WHERE status IN ('active', 'under_appeal') AND created_at < now() - interval '335 days'
        UNION ALL
        SELECT id, 'review_overdue', '', '', created_at + interval '379 days' FROM h
         WHERE status = 'active' AND created_at < now() - interval '379 days'
           AND {unit("id", 44)} < 0.1
        UNION ALL
        SELECT id, CASE WHEN ended THEN 'emergency_ended' ELSE 'removed' END,
               CASE WHEN ended THEN 'pending_ratification' ELSE 'active' END, 'removed', off_at
          FROM h WHERE off_at IS NOT NULL
    ) AS s"""
    insert_select(
        EntryEvent,
        {
            "entry_id": "s.entry_id",
            "kind": "s.kind",
            "from_status": "s.from_status",
            "to_status": "s.to_status",
            "message": "''",
            "created_at": "s.at",
        },
        events,
    )


def _appeals(world, people: str) -> None:
    """An open appeal for each entry under appeal; a fifth of the removals by an upheld appeal;
    one in ten of the active entries with a dismissed appeal behind them. One in ten late."""
    from schedule.models import Appeal, EntryEvent

    source = f"""(
        SELECT e.id AS entry_id, (now() - {unit("e.id", 50)} * interval '20 days')::date
                   AS received_on, NULL::timestamptz AS decided_at, '' AS outcome
          FROM schedule_entry e WHERE e.person_id {people} AND e.status = 'under_appeal'
        UNION ALL
        SELECT e.id, (v.created_at - (10 + {unit("e.id", 51)} * 30) * interval '1 day')::date,
               v.created_at, 'upheld'
          FROM schedule_entry e JOIN schedule_entryevent v
               ON v.entry_id = e.id AND v.kind = 'removed'
         WHERE e.person_id {people} AND {unit("e.id", 52)} < 0.2
           AND v.created_at - interval '40 days' > e.created_at
        UNION ALL
        SELECT e.id, (e.created_at + (20 + {unit("e.id", 53)} * 30) * interval '1 day')::date,
               e.created_at + (45 + {unit("e.id", 53)} * 30) * interval '1 day', 'dismissed'
          FROM schedule_entry e
         WHERE e.person_id {people} AND e.status = 'active' AND {unit("e.id", 54)} < 0.1
           AND e.created_at < now() - interval '80 days'
    ) AS s"""
    insert_select(
        Appeal,
        {
            "entry_id": "s.entry_id",
            "received_on": "s.received_on",
            "unreasonable": "true",
            "protocol_not_followed": f"{unit('s.entry_id', 55)} < 0.3",
            "new_circumstances": f"{unit('s.entry_id', 56)} < 0.2",
            "statement": "'The decision was unfair.'",
            "late": f"{unit('s.entry_id', 57)} < 0.1",
            "recorded_by_id": str(world["chair"].pk),
            "decided_at": "s.decided_at",
            "outcome": "s.outcome",
            "decided_as": "CASE WHEN s.outcome = '' THEN '' ELSE 'monitoring_officer' END",
        },
        source,
    )
    lodged = f"""(
        SELECT a.entry_id, 'appeal_lodged' AS kind, a.received_on + interval '9 hours' AS at
          FROM schedule_appeal a JOIN schedule_entry e ON e.id = a.entry_id
         WHERE e.person_id {people}
        UNION ALL
        SELECT a.entry_id, 'appeal_decided', a.decided_at
          FROM schedule_appeal a JOIN schedule_entry e ON e.id = a.entry_id
         WHERE e.person_id {people} AND a.decided_at IS NOT NULL
    ) AS s"""
    insert_select(
        EntryEvent,
        {"entry_id": "s.entry_id", "kind": "s.kind", "message": "''", "created_at": "s.at"},
        lodged,
    )


def _reviews(people: str) -> None:
    """The 12-month review of each entry a year old: at the first meeting from 50 weeks on,
    kept, removed or referred to Legal Services; the due date recorded with seven in ten."""
    from panel.models import AgendaItem, Decision

    items = f"""(
        SELECT e.id AS entry_id, m.id AS meeting_id FROM schedule_entry e
        CROSS JOIN LATERAL (
            SELECT id FROM panel_meeting WHERE kind = 'monthly'
               AND starts_at >= e.created_at + interval '350 days' AND starts_at < now()
             ORDER BY starts_at LIMIT 1) m
         WHERE e.person_id {people} AND e.status IN ('active', 'under_appeal')
    ) AS s"""
    insert_select(
        AgendaItem,
        {
            "kind": "'review'",
            "position": "1 + mod(s.entry_id, 500)",
            "status": "'decided'",
            "entry_id": "s.entry_id",
            "meeting_id": "s.meeting_id",
        },
        items,
    )
    u = lambda salt: unit("s.item_id", salt)  # noqa: E731
    decisions = f"""(
        SELECT i.id AS item_id, e.tier, e.created_at AS on_at,
               m.starts_at + interval '2 hours' AS decided_at
          FROM panel_agendaitem i JOIN schedule_entry e ON e.id = i.entry_id
          JOIN panel_meeting m ON m.id = i.meeting_id
         WHERE e.person_id {people} AND i.kind = 'review'
    ) AS s"""
    insert_select(
        Decision,
        {
            "item_id": "s.item_id",
            "status": "'final'",
            "health_considered": "true",
            "tier": "s.tier",
            "outcome": f"""CASE WHEN {u(60)} < 0.7 THEN 'keep' WHEN {u(60)} < 0.9 THEN 'remove'
                ELSE 'refer_to_legal' END""",
            "reasons": "'The panel reviewed the entry.'",
            "decided_at": "s.decided_at",
            "decided_on": "s.decided_at::date",
            "review_was_due_on": f"""CASE WHEN {u(61)} < 0.3 THEN NULL
                ELSE (s.on_at + interval '1 year')::date END""",
        },
        decisions,
    )


# --- Letters, returns and access --------------------------------------------------------------


def _letters(people: str) -> None:
    """A letter for each entry the panel or an emergency put on the schedule (low or medium, or
    high risk; drafts for those still waiting for ratification), and a letter of expected
    behaviour for each referral that triage or the panel answered with one. Sent by post or
    email, within a fortnight."""
    from correspondence.models import Letter

    source = f"""(
        SELECT e.person_id, e.id AS entry_id, NULL::bigint AS referral_id,
               CASE WHEN e.tier = 'high' THEN 'high' ELSE 'low_medium' END AS kind,
               e.status = 'pending_ratification' AS draft, e.created_at AS since, e.id AS key
          FROM schedule_entry e WHERE e.person_id {people}
        UNION ALL
        SELECT r.person_id, NULL, r.id, 'expected_behaviour', false,
               coalesce(r.submitted_at, r.created_at), r.id
          FROM referrals_referral r WHERE r.person_id {people}
           AND (r.status = 'letter_recommended' OR EXISTS (
                SELECT 1 FROM panel_agendaitem i JOIN panel_decision d ON d.item_id = i.id
                 WHERE i.referral_id = r.id AND d.outcome = 'letter_only'))
    ) AS s"""
    sent = (
        f"least((s.since + (3 + {unit('s.key', 70)} * 11) * interval '1 day')::date, current_date)"
    )
    insert_select(
        Letter,
        {
            "person_id": "s.person_id",
            "entry_id": "s.entry_id",
            "referral_id": "s.referral_id",
            "kind": "s.kind",
            "status": "CASE WHEN s.draft THEN 'draft' ELSE 'sent' END",
            "recipient_name": "'Alex Stat'",
            "recipient_address": "'1 High Street, Dorchester'",
            "sent_method": f"CASE WHEN {unit('s.key', 71)} < 0.6 THEN 'post' ELSE 'email' END",
            "sent_on": f"CASE WHEN s.draft THEN NULL ELSE {sent} END",
            "created_at": "s.since",
        },
        source,
    )


def _returns(world, people: str) -> None:
    """Three in ten of the questionnaires sent come back, within six weeks; each answer is
    transcribed into its category, and about one in seven characteristics is left unanswered."""
    from correspondence.equalities import CATEGORIES
    from correspondence.models import QUESTIONNAIRE_KINDS, QuestionnaireReturn

    choices = ", ".join(
        f"({i}, {_q(characteristic)}, {_array([value for value, _ in categories])})"
        for i, (characteristic, categories) in enumerate(CATEGORIES.items())
    )
    pick = f"1 + floor({unit('l.id * 16 + c.i', 80)} * array_length(c.cats, 1))::int"
    source = f"""(
        SELECT l.id AS letter_id,
               l.sent_on + (5 + floor({unit("l.id", 81)} * 37))::int AS received_on,
               (SELECT coalesce(jsonb_object_agg(c.name, c.cats[{pick}]), '{{}}'::jsonb)
                  FROM (VALUES {choices}) AS c(i, name, cats)
                 WHERE {unit("l.id * 16 + c.i", 82)} < 0.86) AS categories
          FROM correspondence_letter l
         WHERE l.person_id {people} AND l.status = 'sent'
           AND l.kind IN ({", ".join(map(_q, QUESTIONNAIRE_KINDS))})
           AND {unit("l.id", 83)} < 0.3
    ) AS s"""
    insert_select(
        QuestionnaireReturn,
        {
            "letter_id": "s.letter_id",
            "received_on": "s.received_on",
            "categories": "s.categories",
            "answers": "'{}'::jsonb",
            "underlying_issue": f"{unit('s.letter_id', 84)} < 0.05",
            "recorded_by_id": str(world["chair"].pk),
        },
        source + " WHERE s.received_on <= current_date",
    )


def _grants(world, people: int, key: int) -> None:
    """One access grant per ``GRANTS_PER_PEOPLE`` people (one at least), half to services and
    half to named officers: approved (re-certified yearly, a few lapsed), revoked, declined or
    still requested."""
    from schedule.models import AccessGrant

    count = max(1, round(people / GRANTS_PER_PEOPLE))
    u = lambda salt: unit(f"{key} + g", salt)  # noqa: E731
    services = _array(map(str, world["services"])) + "::bigint[]"
    officers = _array(map(str, world["officers"])) + "::bigint[]"
    source = f"""(
        SELECT g, CASE WHEN {u(90)} < 0.6 THEN 'approved' WHEN {u(90)} < 0.75 THEN 'revoked'
                       WHEN {u(90)} < 0.85 THEN 'declined' ELSE 'requested' END AS status,
               now() - {u(91)} * {YEARS} * interval '1 day' AS since
          FROM generate_series(1, {count}) AS g
    ) AS s"""
    approved = "s.status IN ('approved', 'revoked')"
    insert_select(
        AccessGrant,
        {
            "service_id": f"CASE WHEN mod(s.g, 2) = 0 THEN ({services})[1 + mod(s.g / 2, "
            f"{len(SERVICES)})] END",
            "user_id": f"CASE WHEN mod(s.g, 2) = 1 THEN ({officers})[1 + mod(s.g / 2, "
            f"{len(world['officers'])})] END",
            "low": "true",
            "medium": f"{u(92)} < 0.7",
            "high": f"{u(93)} < 0.3",
            "rationale": "'Front desk staff meet the public.'",
            "status": "s.status",
            "requested_at": "s.since - interval '14 days'",
            "approved_at": f"CASE WHEN {approved} THEN s.since END",
            "recertify_by": f"""CASE WHEN {approved} THEN (s.since + interval '1 year'
                * (CASE WHEN {u(94)} < 0.15 THEN 0 ELSE 1 END
                   + floor(extract(epoch FROM now() - s.since) / 31557600)))::date END""",
            "closed_at": f"""CASE WHEN s.status = 'revoked'
                THEN s.since + {u(95)} * (now() - s.since)
                WHEN s.status = 'declined' THEN s.since END""",
            "closed_reason": """CASE WHEN s.status = 'revoked' THEN 'No longer needed.'
                WHEN s.status = 'declined' THEN 'Not enough reason given.' ELSE '' END""",
        },
        source,
    )


def print_counts(out) -> dict:
    """How many rows each table holds, and how many the figures' filters let through."""
    from django.db import connection

    counts = {}
    queries = {
        "people": "SELECT count(*) FROM referrals_person",
        "referrals": "SELECT count(*) FROM referrals_referral",
        "meetings": "SELECT count(*) FROM panel_meeting",
        "agenda items": "SELECT count(*) FROM panel_agendaitem",
        "final decisions": "SELECT count(*) FROM panel_decision WHERE status = 'final'",
        "entries": "SELECT count(*) FROM schedule_entry",
        "live entries": "SELECT count(*) FROM schedule_entry WHERE status <> 'removed'",
        "emergency additions": "SELECT count(*) FROM schedule_entry "
        "WHERE emergency_added_at IS NOT NULL",
        "entry events": "SELECT count(*) FROM schedule_entryevent",
        "appeals": "SELECT count(*) FROM schedule_appeal",
        "access grants": "SELECT count(*) FROM schedule_accessgrant",
        "letters": "SELECT count(*) FROM correspondence_letter",
        "letters sent": "SELECT count(*) FROM correspondence_letter WHERE status = 'sent'",
        "questionnaire returns": "SELECT count(*) FROM correspondence_questionnairereturn",
    }
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
    print("  " + ", ".join(f"{n:,} {name}" for name, n in counts.items()), file=out)
    return counts
