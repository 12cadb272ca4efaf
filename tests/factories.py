from datetime import UTC, date

import factory
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete
from faker import Faker

from referrals import normalise
from referrals.models import Incident, Person, Referral, ReferralSource, ReferralStatus
from ubpanel.models import Service, User
from ubpanel.roles import Role, roles_ensure

PASSWORD = "correct-horse-battery-staple"

# Each role's group id, by database alias. ubpanel's post_migrate creates the groups, so they are
# there when a test starts and a factory need not set them up again for every user. The cache
# lasts one test at most (conftest forgets it after each: a group created inside a test is rolled
# back with it, and a transactional test's flush recreates them all), and is forgotten at once when
# a test deletes a group.
_role_group_ids: dict[str, dict[str, int]] = {}


def role_group_ids(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Each role's group id by the role's label, creating the groups if a test removed them."""
    ids = _role_group_ids.get(using)
    if ids is None:
        labels = [role.label for role in Role]
        ids = dict(Group.objects.using(using).filter(name__in=labels).values_list("name", "pk"))
        if len(ids) < len(labels):
            roles_ensure()
            ids = dict(Group.objects.using(using).filter(name__in=labels).values_list("name", "pk"))
        _role_group_ids[using] = ids
    return ids


def forget_role_groups(**kwargs) -> None:
    _role_group_ids.clear()


post_delete.connect(forget_role_groups, sender=Group, dispatch_uid="tests.forget_role_groups")


_FAKE_GB = Faker("en_GB")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Service {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    # Staff names are compared with page text in many tests: an O'Brien would need escaping in
    # each, so generated staff names have no apostrophe (templates escape them; that is Django's).
    last_name = factory.LazyFunction(lambda: _FAKE_GB.last_name().replace("'", ""))
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")
    service = factory.SubFactory(ServiceFactory, name="Housing")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        ids = role_group_ids(self._state.db)
        self.groups.set([ids[Role(role).label] for role in extracted])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_names = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    health_and_disability = "Has told us about a long-term condition."
    search_name = factory.LazyAttribute(
        lambda p: normalise.name(f"{p.given_names} {p.family_name}")
    )
    recorded_by_service = factory.SubFactory(ServiceFactory, name="Housing")


class ReferralFactory(factory.django.DjangoModelFactory):
    """A manager's web draft."""

    class Meta:
        model = Referral

    referrer = factory.SubFactory(UserFactory, roles=[Role.REFERRING_MANAGER])
    service = factory.SelfAttribute("referrer.service")
    subject_given_names = factory.Faker("first_name", locale="en_GB")
    subject_family_name = factory.Faker("last_name", locale="en_GB")
    subject_postcode = "DT1 1AA"
    summary = "Repeated abusive calls to the housing team."
    behaviour_categories = factory.LazyFunction(lambda: ["abusive"])
    number_of_incidents = 3
    suggested_tier = "low"
    health_concerns = "not_known"


class SubmittedReferralFactory(ReferralFactory):
    status = ReferralStatus.SUBMITTED
    submitted_at = factory.Faker("date_time_this_month", tzinfo=UTC)


class MailboxDraftFactory(ReferralFactory):
    source = ReferralSource.MAILBOX
    referrer = None
    service = None


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    referral = factory.SubFactory(SubmittedReferralFactory)
    occurred_on = factory.Faker("date_this_year")
    location = "Customer services desk, County Hall"
    description = "Shouted at staff and refused to leave."


# --- The schedule -----------------------------------------------------------------------------

from schedule.services import twelve_months_after  # noqa: E402  (appended section)


class EntryFactory(factory.django.DjangoModelFactory):
    """An emergency addition waiting for the panel to ratify it."""

    class Meta:
        model = "schedule.Entry"

    person = factory.SubFactory(PersonFactory)
    tier = "high"
    status = "pending_ratification"
    how_to_respond = "Do not visit alone. End the call if they become abusive."
    permitted_contact = "In writing to the SPOC only."
    spoc_name = "Sam Spoc"
    incident_summary = "Threatened a housing officer with a knife at the front door."
    reason = "Violence towards staff."
    # The protocol: an Operations Manager is responsible for every record.
    record_owner = factory.SubFactory(
        UserFactory, roles=[Role.REFERRING_MANAGER], job_title="Operations Manager"
    )
    decided_on = factory.Faker("date_this_year")
    review_due_on = factory.LazyAttribute(lambda e: twelve_months_after(e.decided_on))


class ActiveEntryFactory(EntryFactory):
    tier = "medium"
    status = "active"


class EntryIncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schedule.EntryIncident"

    entry = factory.SubFactory(ActiveEntryFactory)
    occurred_on = factory.Faker("date_this_year")
    location = "Housing office reception, Dorchester"
    description = "Shouted threats at the receptionist and threw a chair."
    categories = factory.LazyFunction(lambda: ["threats_of_violence"])


def emergency_incidents(**overrides) -> list[dict]:
    """One incident as the emergency addition form sends it to ``entry_add_emergency``."""
    from datetime import date, time

    return [
        {
            "occurred_on": date(2026, 3, 3),
            "occurred_at": time(14, 5),
            "location": "Housing office, Dorchester",
            "description": "Pushed an officer down the steps.",
            "categories": ["actual_violence"],
            **overrides,
        }
    ]


class AccessGrantFactory(factory.django.DjangoModelFactory):
    """An approved grant to a service, current for another year."""

    class Meta:
        model = "schedule.AccessGrant"

    service = factory.SubFactory(ServiceFactory)
    user = None
    low = True
    medium = True
    high = True
    rationale = "Likely contact with known individuals."
    status = "approved"
    recertify_by = factory.Faker("date_between", start_date="+30d", end_date="+365d")


# --- The panel --------------------------------------------------------------------------------


class SeatMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "panel.SeatMember"

    seat = "complaints"
    user = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])
    is_deputy = False
    # Deputies sit only when briefed on or before the meeting's date: long enough ago for any test.
    briefed_on = date(2020, 1, 6)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A monthly meeting next week, not yet open."""

    class Meta:
        model = "panel.Meeting"

    kind = "monthly"
    format = "virtual"
    starts_at = factory.Faker("date_time_between", start_date="+1d", end_date="+10d", tzinfo=UTC)
    location = "Teams"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """A new referral, ready for the panel, on a meeting's agenda."""

    class Meta:
        model = "panel.AgendaItem"

    meeting = factory.SubFactory(MeetingFactory)
    kind = "new_referral"
    position = factory.Sequence(lambda n: n + 1)
    referral = factory.SubFactory(
        SubmittedReferralFactory,
        status=ReferralStatus.READY_FOR_PANEL,
        person=factory.SubFactory(PersonFactory),
    )


# --- Letters ----------------------------------------------------------------------------------

from correspondence import content as letter_content  # noqa: E402  (appended section)


class LetterFactory(factory.django.DjangoModelFactory):
    """A complete high-risk letter from Legal Services, in draft: it says everything the protocol
    asks, so Legal Services can approve it. ``LetterFactory(low_medium=True)`` is the Operations
    Manager's low or medium risk letter; ``of_expected_behaviour=True`` a letter of expected behaviour.
    No entry, decision or referral: any Legal Services user (or, for the others, any referring
    manager) may approve it."""

    class Meta:
        model = "correspondence.Letter"

    class Params:
        low_medium = factory.Trait(
            kind="low_medium",
            cease_and_desist="",
            review_or_appeal=letter_content.REVIEW_PROCESS,
            sender_name="Morgan Manager",
            sender_title="Operations Manager, Housing",
        )
        # Not called expected_behaviour: a trait may not share its name with a field.
        of_expected_behaviour = factory.Trait(
            kind="expected_behaviour",
            cease_and_desist="",
            expected_behaviour=letter_content.EXPECTED_BEHAVIOUR,
            logging_statement="",
            review_or_appeal="",
            ombudsman="",
            sender_name="Morgan Manager",
            sender_title="Operations Manager, Housing",
        )

    kind = "high"
    person = factory.SubFactory(PersonFactory)
    recipient_name = factory.LazyAttribute(
        lambda o: f"{o.person.given_names} {o.person.family_name}"
    )
    recipient_address = "14 Acland Road\nDorchester\nDT1 1JW"
    incident_description = "Shouted at the receptionist and threw a chair across the waiting area."
    incident_location = "Customer services desk, County Hall, Dorchester"
    incident_when = "3 March 2026 at 10:15"
    why_unreasonable = "Staff were put in fear for their safety and the office had to close."
    cease_and_desist = letter_content.CEASE_AND_DESIST
    spoc = "Sam Spoc, Housing Team Leader: 01305 221000, housing.spoc@council.example"
    contact_restrictions = "Contact the council in writing, to your single point of contact only."
    service_restrictions = (
        "Housing appointments take place at County Hall with two officers present."
    )
    consequences_of_breach = letter_content.CONSEQUENCES
    logging_statement = letter_content.LOGGING_STATEMENT
    review_or_appeal = letter_content.APPEAL_PROCESS
    ombudsman = letter_content.OMBUDSMAN
    sender_name = "Alex Advocate"
    sender_title = "Solicitor, Legal Services"


class ApprovedLetterFactory(LetterFactory):
    """Approved, as if by ``letter_approve`` but without queuing its PDFs."""

    status = "approved"
    approved_at = factory.Faker("date_time_this_month", tzinfo=UTC)


class SentLetterFactory(ApprovedLetterFactory):
    status = "sent"
    sent_method = "post"
    sent_on = factory.Faker("date_this_month")


# --- Appeals ----------------------------------------------------------------------------------

from schedule.dates import appeal_deadline  # noqa: E402  (appended section)


class AppealFactory(factory.django.DjangoModelFactory):
    """An appeal recorded in time by the Assurance team, on the grounds that the decision was
    unreasonable, waiting for the Monitoring Officer: its entry is under appeal."""

    class Meta:
        model = "schedule.Appeal"

    entry = factory.SubFactory(
        ActiveEntryFactory, status="under_appeal", notified_on=factory.Faker("date_this_month")
    )
    received_on = factory.SelfAttribute("entry.notified_on")
    deadline = factory.LazyAttribute(lambda a: appeal_deadline(a.entry.notified_on))
    unreasonable = True
    statement = "I was only asking about my housing repair. I was never abusive."
    recorded_by = factory.SubFactory(UserFactory, roles=[Role.ASSURANCE_OFFICER])


class DismissedAppealFactory(AppealFactory):
    """Decided: the panel's decision stands and the entry is active again."""

    entry = factory.SubFactory(ActiveEntryFactory, notified_on=factory.Faker("date_this_month"))
    outcome = "dismissed"
    decided_by = factory.SubFactory(UserFactory, roles=[Role.MONITORING_OFFICER])
    decided_at = factory.Faker("date_time_this_month", tzinfo=UTC)
    reason = "The panel followed the protocol and its decision was reasonable."
