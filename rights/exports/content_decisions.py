"""What an export holds about one person, continued: the panel's papers and decisions about them,
their schedule entries with history and appeals, address warnings linked to their entries, their
letters with PDFs and questionnaire returns, and the audit of who viewed them."""

from __future__ import annotations

from django.db.models import Q

from correspondence.equalities import category_label
from correspondence.models import Characteristic, Letter
from correspondence.services import LETTER_FIELDS
from panel.models import DECISION_FIELDS, AgendaItem
from referrals.models import Person
from rights.who_viewed import audit_entries_about
from schedule.models import AddressWarning, Entry

from .content import Collector, labelled, timeline

GUIDANCE_FIELDS = [
    "how_to_respond",
    "permitted_contact",
    "contact_restrictions",
    "service_restrictions",
    "spoc_name",
    "spoc_contact_details",
    "email_divert",
    "ward_councillors_consulted",
    "ward_councillors_asked",
    "ward_councillors_response",
    "customer_told_of_divert",
    "restriction_kinds",
    "adjustment_clash_reason",
]


def categories_labelled(categories: dict[str, str]) -> dict[str, str]:
    """A questionnaire return's categories as the person would read them: {"Sex": "Female"}."""
    return {
        label: category_label(value, categories[value])
        for value, label in Characteristic.choices
        if value in categories
    }


def _guidance(c: Collector, obj) -> dict:
    data = {name: getattr(obj, name) for name in GUIDANCE_FIELDS}
    data["spoc_service"] = str(obj.spoc_service or "")
    return data


def entries_of(person: Person):
    return (
        Entry.objects.filter(person=person)
        .select_related("record_owner", "spoc_service")
        .order_by("created_at", "pk")
    )


def panel_part(c: Collector, referral_ids: list[int], entry_ids: list[int]) -> list[dict]:
    items = (
        AgendaItem.objects.filter(Q(referral_id__in=referral_ids) | Q(entry_id__in=entry_ids))
        .select_related("meeting", "referral", "entry", "added_by")
        .order_by("meeting__starts_at", "position", "pk")
    )
    return [_item(c, item) for item in items]


def _item(c: Collector, item: AgendaItem) -> dict:
    decision = getattr(item, "decision", None)
    return {
        "meeting": {
            "reference": item.meeting.reference,
            "starts_at": item.meeting.starts_at,
            **labelled(item.meeting, "kind"),
        },
        **labelled(item, "kind", "status"),
        "referral": item.referral.reference if item.referral_id else None,
        "entry": item.entry.reference if item.entry_id else None,
        "added_by": c.staff(item.added_by),
        "added_at": item.created_at,
        "operations_manager_statement": item.statement,
        "withdrawn_reason": item.withdrawn_reason,
        "ballots": [_ballot(c, ballot) for ballot in item.ballots.order_by("number")],
        "decision": _decision(c, decision) if decision is not None else None,
    }


def _ballot(c: Collector, ballot) -> dict:
    return {
        "number": ballot.number,
        "motion": ballot.motion,
        **labelled(ballot, "rule", "status"),
        "opened_at": ballot.opened_at,
        "closed_at": ballot.closed_at,
        "votes_for": ballot.votes_for,
        "votes_against": ballot.votes_against,
        "abstentions": ballot.abstentions,
        "votes": [
            {**labelled(vote, "seat", "choice"), "by": c.staff(vote.user), "cast_at": vote.cast_at}
            for vote in ballot.votes.select_related("user").order_by("seat")
        ],
    }


def _decision(c: Collector, decision) -> dict:
    plain = [name for name in DECISION_FIELDS if name not in GUIDANCE_FIELDS]
    data = {name: getattr(decision, name) for name in plain}
    data.update(_guidance(c, decision))
    data.update(labelled(decision, "status", "tier", "outcome", "letter_route", "rule"))
    data.update(labelled(decision, "removal_communication"))
    data["record_owner"] = c.staff(decision.record_owner)
    data["care_system_consulted_by"] = c.staff(decision.care_system_consulted_by)
    data["drafted_by"] = c.staff(decision.drafted_by)
    data["spoc_service"] = str(decision.spoc_service or "")
    data.update(
        eligible_seats=decision.eligible_seats,
        votes_for=decision.votes_for,
        votes_against=decision.votes_against,
        abstentions=decision.abstentions,
        decided_on=decision.decided_on,
        decided_at=decision.decided_at,
    )
    data["corrections"] = [
        {
            "field": fix.field,
            "old_value": fix.old_value,
            "new_value": fix.new_value,
            "reason": fix.reason,
            "corrected_by": c.staff(fix.corrected_by),
            "corrected_at": fix.corrected_at,
        }
        for fix in decision.corrections.select_related("corrected_by")
    ]
    return data


def entry_part(c: Collector, entry: Entry) -> dict:
    staff = c.staff
    return {
        "reference": entry.reference,
        **labelled(entry, "tier", "status"),
        **_guidance(c, entry),
        "incident_summary": entry.incident_summary,
        "reason": entry.reason,
        "internal_notes": entry.internal_notes,
        "record_owner": staff(entry.record_owner),
        "referrals": [r.reference for r in entry.referrals.order_by("pk")],
        "emergency_added_at": entry.emergency_added_at,
        "decided_on": entry.decided_on,
        "notified_on": entry.notified_on,
        "review_due_on": entry.review_due_on,
        "underlying_issue_flagged_on": entry.underlying_issue_flagged_on,
        "created_at": entry.created_at,
        "incidents": [
            {
                "date": i.occurred_on,
                "time": i.occurred_at,
                "location": i.location,
                "what_happened": i.description,
                "behaviour_categories": i.get_categories_display(),
            }
            for i in entry.incidents.order_by("occurred_on", "occurred_at", "pk")
        ],
        "history": timeline(c, entry.events.select_related("actor")),
        "appeals": [_appeal(c, appeal) for appeal in entry.appeals.order_by("received_on", "pk")],
        "contact_checks": [
            {"at": check.checked_at, "by": staff(check.user), "purpose": check.purpose}
            for check in entry.contact_checks.select_related("user").order_by("checked_at", "pk")
        ],
        # Who else was let see the entry, for a visit (the recipients of the data).
        "need_to_know_access": [
            {
                "to": str(grant.service) if grant.service_id else staff(grant.user),
                "why": grant.rationale,
                "granted_on": grant.decided_at,
                "until": grant.ends_on,
                **labelled(grant, "status"),
            }
            for grant in entry.single_grants.exclude(status="requested")
            .exclude(status="declined")
            .select_related("service", "user")
            .order_by("pk")
        ],
    }


def _appeal(c: Collector, appeal) -> dict:
    return {
        "received_on": appeal.received_on,
        "grounds": appeal.ground_labels,
        "statement": appeal.statement,
        "deadline": appeal.deadline,
        "late": appeal.late,
        "recorded_by": c.staff(appeal.recorded_by),
        "recorded_at": appeal.recorded_at,
        **labelled(appeal, "outcome", "decided_as"),
        "decided_by": c.staff(appeal.decided_by),
        "decided_at": appeal.decided_at,
        "reason": appeal.reason,
    }


def address_warnings_part(c: Collector, entry_ids: list[int]) -> list[dict]:
    """Warnings at an address that are linked to one of the person's entries; a warning linked to
    nobody, or to someone else, is not about them."""
    warnings = AddressWarning.objects.filter(entry_id__in=entry_ids).select_related(
        "entry", "created_by", "ended_by"
    )
    return [
        {
            "address": w.address,
            "postcode": w.postcode,
            **labelled(w, "tier", "status"),
            "guidance": w.guidance,
            "entry": w.entry.reference,
            "created_by": c.staff(w.created_by),
            "created_at": w.created_at,
            "ended_by": c.staff(w.ended_by),
            "ended_at": w.ended_at,
            "ended_reason": w.ended_reason,
        }
        for w in warnings.order_by("created_at", "pk")
    ]


# Every field of the letter's text, the addressee and the signatory: what staff may write in it
# (correspondence's own list). The signatory is named to the person in the letter itself: not
# redacted (README).
LETTER_TEXT = LETTER_FIELDS


def letters_part(c: Collector, person: Person) -> list[dict]:
    letters = (
        Letter.objects.filter(person=person)
        .select_related("entry", "referral", "approved_by", "sent_by", "cancelled_by", "created_by")
        .order_by("created_at", "pk")
    )
    return [_letter(c, letter) for letter in letters]


def _letter(c: Collector, letter: Letter) -> dict:
    staff, ref = c.staff, letter.reference
    data = {"reference": ref, **labelled(letter, "kind", "status", "sent_method")}
    data.update({name: getattr(letter, name) for name in LETTER_TEXT})
    data.update(
        entry=letter.entry.reference if letter.entry_id else None,
        referral=letter.referral.reference if letter.referral_id else None,
        version=letter.version,
        created_by=staff(letter.created_by),
        created_at=letter.created_at,
        approved_by=staff(letter.approved_by),
        approved_at=letter.approved_at,
        sent_by=staff(letter.sent_by),
        sent_on=letter.sent_on,
        emailed_at=letter.emailed_at,
        appeal_deadline=letter.appeal_deadline,
        cancelled_by=staff(letter.cancelled_by),
        cancelled_at=letter.cancelled_at,
        cancelled_reason=letter.cancelled_reason,
    )
    data["pdfs"] = [
        {
            "version": pdf.version,
            **labelled(pdf, "variant"),
            "sha256": pdf.sha256,
            "size": pdf.size,
            "made_at": pdf.created_at,
            "file_removed_at": pdf.file_removed_at,
            "file": None
            if pdf.file_removed_at
            else c.file(
                pdf.file,
                f"files/letters/{ref}-v{pdf.version}-{pdf.variant}.pdf",
                f"Letter {ref}, version {pdf.version} ({pdf.get_variant_display().lower()})",
                pdf.sha256,
            ),
        }
        for pdf in letter.pdfs.order_by("version", "variant")
    ]
    data["questionnaire_returns"] = [
        {
            "received_on": ret.received_on,
            "answers": ret.answers,
            "categories": categories_labelled(ret.categories),
            "underlying_issue": ret.underlying_issue,
            "previously_known": ret.previously_known,
            "issue_details": ret.issue_details,
            "recorded_by": staff(ret.recorded_by),
            "recorded_at": ret.recorded_at,
        }
        for ret in letter.returns.select_related("recorded_by").order_by("received_on", "pk")
    ]
    return data


def audit_part(c: Collector, person: Person) -> list[dict]:
    """Who viewed, searched for, downloaded or changed the person's records: the rows of the audit
    trail that name them (``rights.who_viewed``). What was changed is given by field name only;
    where from (the address) only when staff are named."""
    rows = []
    for entry in audit_entries_about(person.pk).iterator(chunk_size=500):
        extra = entry.additional_data or {}
        row = {
            "at": entry.timestamp,
            "by": c.staff(entry.actor) if entry.actor_id else "the system",
            "action": entry.get_action_display(),
            "event": extra.get("event", "") if entry.action == entry.Action.ACCESS else "",
            "record_kind": entry.content_type.name if entry.content_type_id else "",
            # A row that also named others (a search's hits, a list) keeps its kind, not its record.
            "record": entry.object_repr if set(extra.get("people") or []) <= {person.pk} else "",
            "fields_changed": sorted((entry.changes or {}).keys())
            if isinstance(entry.changes, dict)
            else [],
        }
        if not c.staff.redact:
            row["from"] = entry.remote_addr
        rows.append(row)
    return rows
