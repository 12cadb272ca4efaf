from datetime import UTC

import factory
from django.contrib.auth.models import Group

from referrals import normalise
from referrals.models import Incident, Person, Referral, ReferralSource, ReferralStatus
from ubpanel.models import Service, User
from ubpanel.roles import Role, roles_ensure

PASSWORD = "correct-horse-battery-staple"


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
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@council.example")
    service = factory.SubFactory(ServiceFactory, name="Housing")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        roles_ensure()
        self.groups.set([Group.objects.get(name=Role(role).label) for role in extracted])


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
    decided_on = factory.Faker("date_this_year")
    review_due_on = factory.LazyAttribute(lambda e: twelve_months_after(e.decided_on))


class ActiveEntryFactory(EntryFactory):
    tier = "medium"
    status = "active"


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
