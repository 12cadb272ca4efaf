"""Reads that carry permission, and who may do what to a referral (``may_<verb>(user, referral)``).

The services raise ``PermissionDenied`` with the same predicates the views and templates use to
show a button: the rule is written here once. A predicate says yes only when the referral's status
allows the move too (``REFERRAL_GRAPH``); the services check the status first, on the locked row,
so a refusal for the status is a ``ReferralTransitionError`` whoever asks.
"""

from collections.abc import Callable

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from ubpanel import audit
from ubpanel.entry_status import LIVE_STATUSES
from ubpanel.roles import (
    ADJUSTMENT_ROLES,
    CASE_ROLES,
    REFERRER_ROLES,
    Role,
    can_see_special_category,
    user_roles,
)

from .matching import candidate_people
from .models import (
    Adjustment,
    EventKind,
    Evidence,
    InboundEmail,
    Person,
    Referral,
    ReferralEvent,
    ReferralSource,
    ReferralStatus,
)
from .statuses import referral_sources, waiting_for_triage


def visible_people(user) -> QuerySet[Person]:
    """Every case role sees everyone, and so does the data protection officer (subject access
    requests); a referring manager, the people their service recorded or referred."""
    roles = user_roles(user)
    if roles & (CASE_ROLES | {Role.DATA_PROTECTION}):
        return Person.objects.all()
    if Role.REFERRING_MANAGER in roles and user.service_id:
        referred = Referral.objects.filter(service_id=user.service_id).values("person_id")
        return Person.objects.filter(Q(recorded_by_service_id=user.service_id) | Q(pk__in=referred))
    return Person.objects.none()


def visible_referrals(user) -> QuerySet[Referral]:
    """Assurance sees every referral but managers' unsent web drafts; a referring manager sees
    their service's referrals and their own drafts; Legal Services see the referrals awaiting
    their advice and those they advised on; Health and Safety see their own escalations; nobody
    else any. (What Health and Safety see of a manager's violent referral is
    ``health_safety_notices``, not this.)"""
    roles = user_roles(user)
    if not roles & {Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES, *REFERRER_ROLES}:
        return Referral.objects.none()
    allowed = Q(pk__in=[])
    if Role.ASSURANCE_OFFICER in roles:
        # Not a draft its writer has not sent (a manager's, or Health and Safety's escalation).
        allowed |= ~Q(status=ReferralStatus.DRAFT) | Q(source=ReferralSource.MAILBOX)
    if Role.REFERRING_MANAGER in roles:
        allowed |= Q(referrer=user)
        if user.service_id:
            allowed |= Q(service_id=user.service_id) & ~Q(status=ReferralStatus.DRAFT)
    if Role.LEGAL_SERVICES in roles:
        allowed |= Q(status=ReferralStatus.AWAITING_LEGAL_ADVICE) | Q(legal_advice_by=user)
    if Role.HEALTH_SAFETY in roles:
        allowed |= Q(referrer=user, source=ReferralSource.HEALTH_SAFETY)
    return Referral.objects.filter(allowed)


def legal_advice_queue(user) -> QuerySet[Referral]:
    """What waits for Legal Services: referrals awaiting their advice (journalists and publishers,
    or anything Assurance asked them about), plus those this adviser has advised on."""
    if Role.LEGAL_SERVICES not in user_roles(user):
        return Referral.objects.none()
    return visible_referrals(user).filter(
        Q(status=ReferralStatus.AWAITING_LEGAL_ADVICE) | Q(legal_advice_by=user)
    )


def can_move(referral: Referral, service: str) -> bool:
    """Whether the referral's status lets ``service`` move it (``REFERRAL_GRAPH``)."""
    return referral.status in referral_sources(referral, service)


def may_edit_draft(user, referral: Referral | None = None) -> bool:
    """A referring manager starts a referral; its referrer carries on with it, and submits it,
    while it is a draft (a Health and Safety escalation's referrer while they hold that role)."""
    roles = user_roles(user)
    if referral is None:
        return Role.REFERRING_MANAGER in roles
    writer = (
        Role.HEALTH_SAFETY
        if referral.source == ReferralSource.HEALTH_SAFETY
        else Role.REFERRING_MANAGER
    )
    return (
        writer in roles
        and referral.referrer_id == user.pk
        and referral.status == ReferralStatus.DRAFT
    )


def may_escalate(user) -> bool:
    """The Health and Safety Team escalate an accident/incident report to the panel."""
    return Role.HEALTH_SAFETY in user_roles(user)


def may_submit(user, referral: Referral) -> bool:
    """The referrer sends their draft to the Assurance team."""
    return may_edit_draft(user, referral) and can_move(referral, "referral_submit")


def may_delete_draft(user, referral: Referral) -> bool:
    """The referrer deletes a draft made on the web that they have not sent; an email's referral
    is the Assurance team's record of what arrived, and is never a manager's to delete."""
    return (
        may_edit_draft(user, referral)
        and referral.source != ReferralSource.MAILBOX
        and referral.status == ReferralStatus.DRAFT
    )


def may_provide_information(user, referral: Referral) -> bool:
    """The referrer answers the Assurance team's question."""
    return referral.referrer_id == user.pk and can_move(referral, "referral_provide_information")


def may_triage(user) -> bool:
    """The Assurance team triage referrals (their queue, and the actions below)."""
    return Role.ASSURANCE_OFFICER in user_roles(user)


def _assurance_may(service: str, doc: str) -> Callable[[object, Referral], bool]:
    def may(user, referral: Referral) -> bool:
        return may_triage(user) and can_move(referral, service)

    may.__name__ = "may_" + service.removeprefix("referral_")
    may.__doc__ = doc
    return may


# Triage is the Assurance team's.
may_request_information = _assurance_may(
    "referral_request_information", "Assurance ask the referrer for more information."
)
may_recommend_letter = _assurance_may(
    "referral_recommend_letter", "Assurance recommend a letter of expected behaviour instead."
)
may_mark_out_of_scope = _assurance_may(
    "referral_mark_out_of_scope", "Assurance find the referral outside the protocol."
)
may_await_legal_advice = _assurance_may(
    "referral_await_legal_advice", "Assurance ask Legal Services for their advice."
)
may_mark_ready_for_panel = _assurance_may(
    "referral_mark_ready_for_panel", "Assurance list the referral for the panel."
)
may_close = _assurance_may("referral_close", "Assurance close the referral.")
may_merge = _assurance_may("referral_merge", "Assurance merge a duplicate into another referral.")


def may_update_subject(user, referral: Referral) -> bool:
    """Assurance record who the referral is about, until it is linked to a person or finished."""
    return (
        Role.ASSURANCE_OFFICER in user_roles(user)
        and referral.person_id is None
        and referral.status not in SETTLED
    )


def may_link_person(user, referral: Referral) -> bool:
    """Assurance link a referral to a person; a referrer may say their own draft is about someone
    their service referred before (Assurance check it)."""
    if referral.status in SETTLED:
        return False
    if Role.ASSURANCE_OFFICER in user_roles(user):
        return True
    return may_edit_draft(user, referral)


# A merged or closed referral's details and person are settled.
SETTLED = frozenset({ReferralStatus.MERGED, ReferralStatus.CLOSED})


def may_record_legal_advice(user, referral: Referral) -> bool:
    """Legal Services advise while the referral waits for them."""
    return Role.LEGAL_SERVICES in user_roles(user) and can_move(
        referral, "referral_record_legal_advice"
    )


def may_read_legal_advice(user) -> bool:
    """Legal Services' advice is for the Assurance team and Legal Services, not the referrer."""
    return bool(user_roles(user) & {Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES})


def live_entry_for(referral: Referral):
    """The live schedule entry of the person the referral is linked to, if they have one."""
    if referral.person_id is None:
        return None
    return (
        referral.person.schedule_entries.filter(status__in=LIVE_STATUSES)
        .select_related("person")
        .first()
    )


def may_confirm_repeat_behaviour(user, referral: Referral, entry=None) -> bool:
    """Assurance confirm repeat behaviour on a referral still to triage about someone with a live
    entry; not one that waits for Legal Services (their advice comes "before the protocol is
    applied")."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return False
    if not can_move(referral, "referral_confirm_repeat_behaviour"):
        return False
    return (entry or live_entry_for(referral)) is not None


def health_safety_notices(user) -> QuerySet[Referral]:
    """Managers' referrals Health and Safety were told record violence: for the Health and Safety
    role only, and only through the notice page, which shows no narrative and no individual."""
    if Role.HEALTH_SAFETY not in user_roles(user):
        return Referral.objects.none()
    return Referral.objects.filter(health_safety_notified_at__isnull=False)


def may_link_health_safety_report(user, referral: Referral) -> bool:
    """Health and Safety link their accident/incident report to a violent referral they were told
    of, unless it was merged into another (link the one it was merged into)."""
    return (
        Role.HEALTH_SAFETY in user_roles(user)
        and referral.health_safety_notified_at is not None
        and referral.status != ReferralStatus.MERGED
    )


def visible_evidence(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(referral__in=visible_referrals(user))


def triage_queue(user) -> QuerySet[Referral]:
    """What waits for the Assurance team: submitted referrals, answers, legal advice, mailbox drafts."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return Referral.objects.none()
    return visible_referrals(user).filter(waiting_for_triage())


def failed_emails(user) -> QuerySet[InboundEmail]:
    """Mailbox emails that could not be read: kept, with the reason, for Assurance to deal with."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return InboundEmail.objects.none()
    return InboundEmail.objects.filter(status="failed")


def mailbox_emails(user) -> QuerySet[InboundEmail]:
    """Every email the spocassurance mailbox received, for the Assurance team who triage them."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return InboundEmail.objects.none()
    return InboundEmail.objects.all()


def can_see_referral_health(user, referral: Referral) -> bool:
    """The manager who wrote it may read back what they wrote; otherwise special-category roles."""
    return referral.referrer_id == user.pk or can_see_special_category(user)


def referral_candidates(user, referral: Referral, *, limit: int = 10):
    """People ``user`` may see who may be the individual in ``referral``; showing them is audited."""
    if (
        referral.pk is None
        or referral.person_id
        or referral.status
        in (
            ReferralStatus.MERGED,
            ReferralStatus.CLOSED,
            ReferralStatus.DECIDED,
        )
    ):
        return []
    candidates = candidate_people(
        visible_people(user),
        given_names=referral.subject_given_names,
        family_name=referral.subject_family_name,
        aliases=[alias for alias in referral.subject_aliases.splitlines() if alias.strip()],
        date_of_birth=referral.subject_date_of_birth,
        postcode=referral.subject_postcode,
        email=referral.subject_email,
        phone=referral.subject_phone,
        limit=limit,
    )
    audit.record_access([c.person for c in candidates], audit.Event.SEARCH, purpose="match")
    return candidates


# A referral back with Assurance because the referrer answered their question (its last move).
ANSWERED = Q(status=ReferralStatus.SUBMITTED, last_move=EventKind.INFORMATION_PROVIDED)


def _with_last_move(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """``last_move``: the kind of the referral's latest event that changed its status."""
    last_move = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"))
        .exclude(to_status="")
        .order_by("-created_at", "-pk")
        .values("kind")[:1]
    )
    return referrals.annotate(last_move=Subquery(last_move))


def answers_to_read(user) -> QuerySet[Referral]:
    """Referrals in the triage queue the referrer has just answered Assurance's question on."""
    return _with_last_move(triage_queue(user)).filter(ANSWERED)


def waiting_referral_work(user) -> dict[str, int]:
    """What waits for ``user`` among referrals, as counts for their work page (each read through
    the selector its list page uses, so the count agrees with the page):

    - ``triage``: the Assurance team's triage queue (``triage_queue``);
    - ``answers``: of those, the referrals whose last move was the referrer answering Assurance's
      question - back with Assurance, to read;
    - ``failed_emails``: mailbox emails that could not be read (``failed_emails``);
    - ``legal_advice``: referrals awaiting Legal Services' advice, for Legal Services;
    - ``questions``: the referrer's own referrals (a manager's, or Health and Safety's escalations)
      on which Assurance asked them something;
    - ``reports_to_link``: for Health and Safety, managers' violent referrals they were told of
      with no accident/incident report of theirs linked yet.

    One query for each role held (two for Assurance), however many referrals there are."""
    roles = user_roles(user)
    counts: dict[str, int] = {}
    if Role.ASSURANCE_OFFICER in roles:
        counts |= _with_last_move(triage_queue(user)).aggregate(
            triage=Count("pk"), answers=Count("pk", filter=ANSWERED)
        )
        counts["failed_emails"] = failed_emails(user).count()
    if Role.LEGAL_SERVICES in roles:
        counts["legal_advice"] = (
            legal_advice_queue(user).filter(status=ReferralStatus.AWAITING_LEGAL_ADVICE).count()
        )
    if Role.HEALTH_SAFETY in roles:
        counts["reports_to_link"] = (
            health_safety_notices(user)
            .filter(health_safety_reference="")
            .exclude(status=ReferralStatus.MERGED)
            .count()
        )
    if roles & REFERRER_ROLES:
        counts["questions"] = (
            visible_referrals(user)
            .filter(referrer=user, status=ReferralStatus.MORE_INFORMATION)
            .count()
        )
    return counts


# --- Reasonable adjustments (special-category data: the same rule as health) -------------------


def visible_adjustments(user) -> QuerySet[Adjustment]:
    """A person's adjustments say what disability or need they have: only those who may see
    health (``can_see_special_category``) see them, for the people they may see."""
    if not can_see_special_category(user):
        return Adjustment.objects.none()
    return Adjustment.objects.filter(person__in=visible_people(user))


def current_adjustments(person: Person) -> QuerySet[Adjustment]:
    """The adjustments the council makes for ``person`` now (not those ended). No permission:
    callers show them only to those ``visible_adjustments`` would."""
    return Adjustment.objects.filter(person=person, ended_at__isnull=True)


def may_record_adjustment(user, person: Person | None = None) -> bool:
    """The panel, Assurance and Adult Social Care record a person's reasonable adjustments, when
    they may also see health; never for a person whose details were anonymised."""
    if not (user_roles(user) & ADJUSTMENT_ROLES and can_see_special_category(user)):
        return False
    return person is None or person.anonymised_at is None


def may_end_adjustment(user, adjustment: Adjustment) -> bool:
    """Whoever may record a person's adjustments ends one that no longer applies."""
    return adjustment.ended_at is None and may_record_adjustment(user, adjustment.person)
