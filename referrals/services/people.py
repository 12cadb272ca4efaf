"""People known to the panel, and who a referral is about: its subject, matched or recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from referrals import normalise
from referrals.models import (
    EventKind,
    Person,
    PersonAddress,
    PersonAlias,
    PersonEmail,
    PersonPhone,
    Referral,
)
from referrals.selectors import SETTLED, may_link_person, may_update_subject
from ubpanel.entry_status import LIVE_STATUSES
from ubpanel.models import Service
from ubpanel.services import service

from .base import TRIAGE_IS_ASSURANCES, ReferralTransitionError, event, lock, refuse_unless
from .drafts import NULLABLE, SUBJECT_FIELDS


@service
def person_create(
    *,
    actor,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
    health_and_disability: str = "",
    recorded_by_service: Service | None = None,
    aliases: list[str] = (),
    addresses: list[tuple[str, str]] = (),
    emails: list[str] = (),
    phones: list[str] = (),
) -> Person:
    """A person became known to the panel."""
    person = Person.objects.create(
        given_names=given_names,
        family_name=family_name,
        search_name=normalise.name(f"{given_names} {family_name}"),
        date_of_birth=date_of_birth,
        health_and_disability=health_and_disability,
        recorded_by_service=recorded_by_service,
        created_by=actor,
    )
    _person_add_details(person, aliases=aliases, addresses=addresses, emails=emails, phones=phones)
    return person


def _person_add_details(person, *, aliases=(), addresses=(), emails=(), phones=()):
    known_aliases = set(person.aliases.values_list("search_name", flat=True))
    for alias in aliases:
        key = normalise.name(alias)
        if key and key not in known_aliases and key != person.search_name:
            PersonAlias.objects.create(person=person, name=alias.strip(), search_name=key)
            known_aliases.add(key)
    for address, postcode in addresses:
        if (address or "").strip() or postcode:
            key = normalise.postcode(postcode)
            if not person.addresses.filter(
                postcode_normalised=key, address=address.strip()
            ).exists():
                PersonAddress.objects.create(
                    person=person,
                    address=address.strip(),
                    postcode=normalise.postcode_display(postcode),
                    postcode_normalised=key,
                )
    for email in emails:
        key = normalise.email(email)
        if key and not person.emails.filter(email_normalised=key).exists():
            PersonEmail.objects.create(person=person, email=email.strip(), email_normalised=key)
    for phone in phones:
        key = normalise.phone(phone)
        if key and not person.phones.filter(number_normalised=key).exists():
            PersonPhone.objects.create(person=person, number=phone.strip(), number_normalised=key)


def has_live_entry(person: Person | None) -> bool:
    return person is not None and person.schedule_entries.filter(status__in=LIVE_STATUSES).exists()


@service
def referral_update_subject(*, actor, referral: Referral, fields: dict[str, Any]) -> Referral:
    """Assurance recorded who the referral is about (a mailbox email names them only in its text)."""
    referral = lock(referral)
    if referral.person_id is not None or referral.status in SETTLED:
        raise ReferralTransitionError(
            f"{referral.reference} is linked to a person or finished: its details are settled."
        )
    refuse_unless(may_update_subject, actor, referral, TRIAGE_IS_ASSURANCES)
    for name in SUBJECT_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(referral, name, value if value is not None or name in NULLABLE else "")
    referral.save()
    event(
        referral,
        actor=actor,
        kind=EventKind.STATUS_CHANGED,
        message="Details of the individual recorded.",
    )
    return referral


@service
def referral_link_person(*, actor, referral: Referral, person: Person | None) -> Person:
    """The referral was matched to a person already known, or a new person was recorded.

    Linking to someone with a live schedule entry makes it repeat behaviour.
    """
    locked = lock(referral)
    if locked.status in SETTLED:
        raise ReferralTransitionError(
            f"{locked.reference} is {locked.get_status_display().lower()}."
        )
    refuse_unless(
        may_link_person, actor, locked, "Only the Assurance team link a referral to a person."
    )
    if person is None:
        person = person_create(
            actor=actor,
            given_names=locked.subject_given_names or "Unknown",
            family_name=locked.subject_family_name or "Unknown",
            date_of_birth=locked.subject_date_of_birth,
            recorded_by_service=locked.service,
        )
    _person_add_details(
        person,
        aliases=[a for a in locked.subject_aliases.splitlines() if a.strip()],
        addresses=[(locked.subject_address, locked.subject_postcode)],
        emails=[locked.subject_email],
        phones=[locked.subject_phone],
    )
    locked.person = person
    locked.repeat_behaviour = has_live_entry(person)
    locked.save()
    # The caller's copy says who it is about too (the views say whether it is repeat behaviour).
    referral.person, referral.repeat_behaviour = person, locked.repeat_behaviour
    message = f"Linked to {person}."
    if locked.repeat_behaviour:
        message += " They are on the schedule already: this is repeat behaviour."
    event(locked, actor=actor, kind=EventKind.PERSON_LINKED, message=message)
    return person
