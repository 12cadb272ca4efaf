"""One real record of every kind a URL can name, for the every-URL x every-role test.

``build()`` makes a small, connected world: a manager's submitted referral with evidence, a mailbox
email that could not be read, a meeting with an item (its invitee, a declaration, a decision), an
entry with an appeal, an access request, an address warning and a letter. ``kwargs_for(name, ...)``
fills a URL's arguments from it: the record ``ubpanel.refusals.OBJECT_KINDS`` says the URL is
about, plus the few extra arguments some URLs take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from panel.models import Decision, Declaration, Invitee
from panel.models.meetings import Seat
from referrals.models import Adjustment, Evidence, InboundEmail, ReferralStatus
from reports.models import CommitteeReport
from rights.models import LegalHold, SubjectAccessExport
from schedule.models import AddressWarning, SingleAccessGrant
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    AppealFactory,
    LetterFactory,
    MeetingFactory,
    PersonFactory,
    SeatMemberFactory,
    ServiceFactory,
    SubmittedReferralFactory,
    UserFactory,
)

# URL arguments that are not the record's id: a value each that reaches the view.
EXTRA_KWARGS = {
    "referrals:triage_action": {"action": "close"},
    "correspondence:letter_pdf": {"variant": "letter"},
    "reports:statistics_csv": {"slug": "referrals-by-source"},
}
SEAT_OF = {Role.PANEL_CHAIR: Seat.CHAIR, Role.PANEL_MEMBER: Seat.COMPLAINTS}


@dataclass
class World:
    users: dict[str, object] = field(default_factory=dict)  # role value (or "outsider") -> user
    objects: dict[str, object] = field(default_factory=dict)  # "app_label.Model" -> record

    def pk_of(self, label: str, model=None):
        """The id of the world's record of ``label`` (an admin page's model when not one of ours)."""
        if label in self.objects:
            return self.objects[label].pk
        if model is not None:
            first = model.objects.order_by("pk").first()
            return first.pk if first else None
        return None


def build() -> World:
    world = World()
    housing = ServiceFactory(name="Housing")
    for role in Role:
        user = UserFactory(username=role.value, roles=[role], service=housing)
        world.users[role.value] = user
        if role in SEAT_OF:
            SeatMemberFactory(seat=SEAT_OF[role], user=user)
    world.users["outsider"] = UserFactory(username="outsider", service=housing)
    manager = world.users[Role.REFERRING_MANAGER.value]

    person = PersonFactory()
    # It records violence and Health and Safety were told: their notice page opens for them.
    referral = SubmittedReferralFactory(
        referrer=manager,
        service=housing,
        person=person,
        violence=True,
        incident_report_reference="AIR-2026-0001",
        health_safety_notified_at=timezone.now(),
    )
    evidence = Evidence.objects.create(
        referral=referral,
        original_name="call-log.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    evidence.file.save("call-log.pdf", ContentFile(b"%PDF"))
    email = InboundEmail.objects.create(
        message_id="<unreadable@example.org>",
        status="failed",
        failure_reason="Not an email.",
        raw="mail/unreadable.eml",
    )

    meeting = MeetingFactory()
    item = AgendaItemFactory(
        meeting=meeting,
        referral=SubmittedReferralFactory(
            referrer=manager, service=housing, status=ReferralStatus.READY_FOR_PANEL, person=person
        ),
    )
    Evidence.objects.create(
        referral=item.referral,
        original_name="notes.pdf",
        content_type="application/pdf",
        size=4,
        sha256="1" * 64,
    ).file.save("notes.pdf", ContentFile(b"%PDF"))
    invitee = Invitee.objects.create(item=item, user=manager, role="operations_manager")
    declaration = Declaration.objects.create(
        item=item, user=world.users[Role.PANEL_MEMBER.value], interest="Knows the family."
    )
    entry = ActiveEntryFactory(person=person, record_owner=manager)
    decided = AgendaItemFactory(
        meeting=MeetingFactory(), status="decided", referral=None, entry=entry, kind="review"
    )
    decision = Decision.objects.create(
        item=decided,
        status="final",
        outcome="keep",
        tier="medium",
        reasons="The panel's reasons.",
        decided_on=timezone.localdate(),
        decided_at=timezone.now(),
    )
    world.objects = {
        "referrals.Referral": referral,
        "referrals.Evidence": evidence,
        "referrals.InboundEmail": email,
        "referrals.Person": person,
        "referrals.Adjustment": Adjustment.objects.create(
            person=person, need="dyslexia", details="Short, plain letters.", source="referral"
        ),
        "panel.Meeting": meeting,
        "panel.AgendaItem": item,
        "panel.Invitee": invitee,
        "panel.Declaration": declaration,
        "panel.Decision": decision,
        "panel.SeatMember": SeatMemberFactory._meta.model.objects.first(),
        "schedule.Entry": entry,
        "schedule.Appeal": AppealFactory(),
        "schedule.AccessGrant": AccessGrantFactory(service=housing, status="requested"),
        "schedule.SingleAccessGrant": SingleAccessGrant.objects.create(
            service=housing,
            kind="entry",
            subject="Jo Bloggs, born 1 May 1980",
            rationale="A tenancy visit next week.",
            ends_on=timezone.localdate() + timedelta(days=14),
        ),
        "schedule.AddressWarning": AddressWarning.objects.create(
            address="Flat 2, 9 High East Street\nDorchester",
            postcode="DT1 1HA",
            postcode_normalised="DT11HA",
            tier="medium",
            guidance="Visit in pairs.",
        ),
        "correspondence.Letter": LetterFactory(person=person),
        "ubpanel.User": manager,
        "ubpanel.Service": housing,
        "auth.Group": Group.objects.order_by("pk").first(),
    }
    world.objects["panel.Evidence"] = item.referral.evidence.first()
    # A subject access export the chair asked for (still waiting: its download page says so).
    world.objects["rights.SubjectAccessExport"] = SubjectAccessExport.objects.create(
        person=person, requested_by=world.users[Role.PANEL_CHAIR.value]
    )
    # A committee report an auditor asked for (still waiting: its download page says so).
    world.objects["reports.CommitteeReport"] = CommitteeReport.objects.create(
        period_start=timezone.localdate().replace(day=1),
        period_end=timezone.localdate(),
        requested_by=world.users[Role.AUDITOR.value],
    )
    # A legal hold the chair placed on the person (its lift page shows it).
    world.objects["rights.LegalHold"] = LegalHold.objects.create(
        person=person, reason="Ombudsman complaint", placed_by=world.users[Role.PANEL_CHAIR.value]
    )
    return world
