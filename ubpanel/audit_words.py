"""The audit trail in English for an auditor (issue 15, point 6).

Each row says who did it by their full name, what they did in the words the filter offers, which
record by its human label ("Schedule entry UBS-00002"), and the details as sentences ("Record owner
set to Frankie Lowe", not "record_owner: None → 7"). A page of rows is described in a constant
number of queries: the users and records the rows name are read in bulk, never row by row.

The apps sit above this layer, so their models are named here by label and read with
``apps.get_model``, as ``ubpanel.refusals`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import Truncator

from .audit import Event, mask_special_category

# One list of actions, labelled once: the filter offers these and the table shows them.
CHANGE_ACTIONS = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
}
ACTIONS: list[tuple[str, str]] = [
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    *[(event.value, event.label) for event in Event],
]
ACTION_LABELS = dict(ACTIONS)
_ACTION_KEYS = {action: key for key, action in CHANGE_ACTIONS.items()}

MASKED = mask_special_category("x")
VALUE_LIMIT = 80


@dataclass(frozen=True)
class Kind:
    """How one kind of record is named: its label, and for a record that only qualifies another
    (an access exception to an entry), the field naming that record and what this one is."""

    label: str
    about: str = ""
    note: str = ""


# content type ("app_label.model") -> how its records are named. A kind whose model has a
# ``reference`` property (UBS-, REF-, UBP-, LET-, SAR-) is named by it; any other by its number.
KINDS: dict[str, Kind] = {
    "schedule.entry": Kind("Schedule entry"),
    "schedule.entryuserobjectpermission": Kind(
        "Schedule entry", about="content_object", note="Access exception for a person"
    ),
    "schedule.entrygroupobjectpermission": Kind(
        "Schedule entry", about="content_object", note="Access exception for a service"
    ),
    "schedule.entryincident": Kind("Incident on a schedule entry"),
    "schedule.entryevent": Kind("Schedule entry history"),
    "schedule.accessgrant": Kind("Access grant"),
    "schedule.contactcheck": Kind("Check before contact"),
    "schedule.addresswarning": Kind("Address warning"),
    "schedule.addresswarninguserobjectpermission": Kind(
        "Address warning", about="content_object", note="Access exception for a person"
    ),
    "schedule.addresswarninggroupobjectpermission": Kind(
        "Address warning", about="content_object", note="Access exception for a service"
    ),
    "schedule.singleaccessgrant": Kind("Need-to-know access to one record"),
    "schedule.appeal": Kind("Appeal"),
    "referrals.person": Kind("Person"),
    "referrals.personalias": Kind("Alias of a person"),
    "referrals.personaddress": Kind("Address of a person"),
    "referrals.personemail": Kind("Email address of a person"),
    "referrals.personphone": Kind("Phone number of a person"),
    "referrals.adjustment": Kind("Reasonable adjustment"),
    "referrals.referral": Kind("Referral"),
    "referrals.incident": Kind("Incident on a referral"),
    "referrals.evidence": Kind("Evidence"),
    "referrals.referralevent": Kind("Referral history"),
    "referrals.inboundemail": Kind("Mailbox email"),
    "panel.meeting": Kind("Panel meeting"),
    "panel.agendaitem": Kind("Agenda item"),
    "panel.seatmember": Kind("Panel seat holder"),
    "panel.seatattendance": Kind("Attendance at a panel meeting"),
    "panel.invitee": Kind("Invitation to a panel item"),
    "panel.declaration": Kind("Declaration of interest"),
    "panel.ballot": Kind("Proposal put to the vote"),
    "panel.vote": Kind("Vote"),
    "panel.decision": Kind("Panel decision"),
    "panel.decisioncorrection": Kind("Correction to a panel decision"),
    "correspondence.letter": Kind("Letter"),
    "correspondence.letterpdf": Kind("Letter PDF"),
    "correspondence.questionnairereturn": Kind("Questionnaire return"),
    "rights.legalhold": Kind("Legal hold"),
    "rights.subjectaccessexport": Kind("Subject access export"),
    "rights.anonymisation": Kind("Anonymisation"),
    "ubpanel.user": Kind("User account"),
    "ubpanel.service": Kind("Service"),
    "ubpanel.notification": Kind("Notification"),
    "auditlog.logentry": Kind("Audit trail"),
    "axes.accessattempt": Kind("Failed sign-in count"),
    "otp_totp.totpdevice": Kind("Authenticator app"),
    "otp_static.staticdevice": Kind("Backup codes"),
}


def kind_of(label: str) -> Kind:
    if label in KINDS:
        return KINDS[label]
    model = _model(label)
    name = str(model._meta.verbose_name) if model else label.rpartition(".")[2]
    return Kind(name[:1].upper() + name[1:])


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def reference(label: str, pk) -> str:
    """The record's reference from its id alone (no query): the model's own ``reference``
    property where it has one, so deleted records are named the same."""
    text = str(pk if pk is not None else "").strip()
    if not text:
        return ""
    if not text.isdigit():
        return text
    model = _model(label)
    if model is not None and isinstance(getattr(model, "reference", None), property):
        return model(pk=int(text)).reference
    return text


def record_label(label: str, pk, users: dict[int, str] | None = None) -> str:
    """ "Schedule entry UBS-00002", "Person 7", "User account Frankie Lowe"."""
    kind = kind_of(label)
    if label == "ubpanel.user" and users and str(pk).isdigit() and int(pk) in users:
        return f"{kind.label} {users[int(pk)]}"
    return " ".join(filter(None, [kind.label, reference(label, pk)]))


def full_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def action_label(entry: LogEntry) -> str:
    if entry.action in _ACTION_KEYS:
        return ACTION_LABELS[_ACTION_KEYS[entry.action]]
    event = (entry.additional_data or {}).get("event") if entry.additional_data else None
    return ACTION_LABELS.get(event, "Accessed")


# --- Details as sentences ------------------------------------------------------------------------


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(field, name: str) -> str:
    words = str(field.verbose_name) if getattr(field, "verbose_name", None) else name
    words = words.replace("_", " ")
    return words[:1].upper() + words[1:]


def _is_user_field(field) -> bool:
    related = getattr(field, "related_model", None)
    return bool(related) and related is get_user_model()


def _value(field, value, users: dict[int, str]) -> str:
    """A stored value as an auditor reads it: names for users, labels for choices, Yes/No."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return "Yes" if value in (True, "True", "true", 1) else "No"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and str(value).isdigit():
        if _is_user_field(field):
            return users.get(int(value), f"user {value}")
        return record_label(field.related_model._meta.label_lower, value, users)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return date_format(moment, "j F Y \\a\\t H:i") if moment else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return date_format(day, "j F Y") if day else value
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return Truncator(str(value)).chars(VALUE_LIMIT)


def change_sentences(model, changes, users: dict[int, str]) -> list[str]:
    """auditlog's ``changes`` as sentences; masked special-category values stay masked."""
    sentences = []
    for name, values in (changes or {}).items() if isinstance(changes, dict) else ():
        field = _field(model, name)
        if name == "id" or (field is not None and field.auto_created and not field.concrete):
            continue  # the id, and reverse relations auditlog lists as "app.Model.None"
        label = _field_label(field, name)
        if isinstance(values, dict):  # a many-to-many change
            objects = ", ".join(str(o) for o in values.get("objects", []))
            done = {"add": "added", "delete": "removed"}.get(values.get("operation"), "changed")
            sentences.append(f"{label} {done}: {objects}" if objects else f"{label} {done}")
            continue
        if not isinstance(values, list | tuple) or len(values) != 2:
            continue
        if MASKED in values:
            sentences.append(f"{label}: special category data, not recorded")
            continue
        old, new = (_value(field, value, users) for value in values)
        if old == new:
            continue
        if not old:
            sentences.append(f"{label} set to {new}")
        elif not new:
            sentences.append(f"{label} cleared (was {old})")
        else:
            sentences.append(f"{label} changed from {old} to {new}")
    return sentences


# additional_data keys -> their words; keys left out here are named by their own words.
DETAIL_WORDS = {
    "path": "Page",
    "query": "Searched for",
    "filters": "Filters",
    "page": "Page number",
    "shown": "Rows shown",
    "lookup": "Looked up",
    "reason": "Reason",
    "username": "Username typed",
    "known_user": "An existing account",
    "mfa": "Second factor",
}
NOT_SHOWN = {"event", "people", "method"}


def _plain(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')} {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value)
    return Truncator(str(value)).chars(VALUE_LIMIT)


def detail_sentences(data) -> list[str]:
    if not isinstance(data, dict):
        return []
    sentences = []
    for key, value in data.items():
        if key in NOT_SHOWN or value in (None, "", [], {}):
            continue
        words = DETAIL_WORDS.get(key) or str(key).replace("_", " ").capitalize()
        sentences.append(f"{words}: {_plain(value)}")
    return sentences


# --- A page of rows -------------------------------------------------------------------------------


@dataclass
class Row:
    entry: LogEntry
    who: str
    action: str
    record: str
    note: str
    details: list[str]
    # (person id, name or "" where the reader may not see people)
    people: list[tuple[int, str]] = field(default_factory=list)


def people_named(entries: Iterable[LogEntry]) -> set[int]:
    ids = set()
    for entry in entries:
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        ids.update(int(pk) for pk in data.get("people", []) if str(pk).isdigit())
    return ids


def _user_ids(entries: list[LogEntry]) -> set[int]:
    ids = set()
    for entry in entries:
        label = entry.content_type.app_label + "." + entry.content_type.model
        if label == "ubpanel.user" and str(entry.object_pk).isdigit():
            ids.add(int(entry.object_pk))
        model = entry.content_type.model_class()
        for name, values in (
            (entry.changes or {}).items() if isinstance(entry.changes, dict) else ()
        ):
            if _is_user_field(_field(model, name)) and isinstance(values, list | tuple):
                ids.update(int(v) for v in values if str(v).isdigit())
    return ids


def _about(entries: list[LogEntry]) -> dict[int, str]:
    """entry pk -> the id of the record a qualifying record (an access exception) is about: from
    the entry's changes, else from the record itself, read in one query per kind."""
    about, missing = {}, {}
    for entry in entries:
        label = entry.content_type.app_label + "." + entry.content_type.model
        kind = KINDS.get(label)
        if not kind or not kind.about:
            continue
        values = (entry.changes or {}).get(kind.about) if isinstance(entry.changes, dict) else None
        known = [v for v in values or [] if str(v).isdigit()]
        if known:
            about[entry.pk] = str(known[-1])
        elif str(entry.object_pk).isdigit():
            missing.setdefault(label, []).append(entry)
    for label, waiting in missing.items():
        model = _model(label)
        column = f"{KINDS[label].about}_id"
        found = dict(
            model._default_manager.filter(pk__in={int(e.object_pk) for e in waiting}).values_list(
                "pk", column
            )
        )
        for entry in waiting:
            if int(entry.object_pk) in found:
                about[entry.pk] = str(found[int(entry.object_pk)])
    return about


def describe(entries: Iterable[LogEntry], person_names: dict[int, str] | None = None) -> list[Row]:
    """The rows of one page in English. ``person_names`` holds the names of the people the reader
    may see; the others are linked by number only."""
    entries = list(entries)
    person_names = person_names or {}
    user_ids = _user_ids(entries)
    users = {
        user.pk: full_name(user)
        for user in get_user_model()
        .objects.filter(pk__in=user_ids)
        .only("pk", "username", "first_name", "last_name")
    }
    about = _about(entries)
    rows = []
    for entry in entries:
        label = entry.content_type.app_label + "." + entry.content_type.model
        kind = kind_of(label)
        if kind.about:
            record = record_label(_related_label(label, kind.about), about.get(entry.pk, ""))
        else:
            record = record_label(label, entry.object_pk, users)
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        rows.append(
            Row(
                entry=entry,
                who=full_name(entry.actor),
                action=action_label(entry),
                record=record,
                note=kind.note,
                details=[
                    *change_sentences(entry.content_type.model_class(), entry.changes, users),
                    *detail_sentences(data),
                ],
                people=[
                    (int(pk), person_names.get(int(pk), ""))
                    for pk in data.get("people", [])
                    if str(pk).isdigit()
                ],
            )
        )
    return rows


def _related_label(label: str, field_name: str) -> str:
    related = _field(_model(label), field_name)
    return related.related_model._meta.label_lower if related is not None else label
