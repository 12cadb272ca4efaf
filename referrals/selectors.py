from django.db.models import Q, QuerySet

from ubpanel.roles import CASE_ROLES, Role, can_see_special_category, user_roles

from .models import Evidence, InboundEmail, Person, Referral, ReferralSource, ReferralStatus


def visible_people(user) -> QuerySet[Person]:
    """Every case role sees everyone; a referring manager, the people their service recorded or
    referred."""
    roles = user_roles(user)
    if roles & CASE_ROLES:
        return Person.objects.all()
    if Role.REFERRING_MANAGER in roles and user.service_id:
        referred = Referral.objects.filter(service_id=user.service_id).values("person_id")
        return Person.objects.filter(Q(recorded_by_service_id=user.service_id) | Q(pk__in=referred))
    return Person.objects.none()


def visible_referrals(user) -> QuerySet[Referral]:
    """Assurance sees every referral but managers' unsent web drafts; a referring manager sees
    their service's referrals and their own drafts; Legal Services see the referrals awaiting
    their advice and those they advised on; nobody else any."""
    roles = user_roles(user)
    if not roles & {Role.ASSURANCE_OFFICER, Role.REFERRING_MANAGER, Role.LEGAL_SERVICES}:
        return Referral.objects.none()
    allowed = Q(pk__in=[])
    if Role.ASSURANCE_OFFICER in roles:
        allowed |= ~Q(status=ReferralStatus.DRAFT, source=ReferralSource.WEB)
    if Role.REFERRING_MANAGER in roles:
        allowed |= Q(referrer=user)
        if user.service_id:
            allowed |= Q(service_id=user.service_id) & ~Q(status=ReferralStatus.DRAFT)
    if Role.LEGAL_SERVICES in roles:
        allowed |= Q(status=ReferralStatus.AWAITING_LEGAL_ADVICE) | Q(legal_advice_by=user)
    return Referral.objects.filter(allowed)


def legal_advice_queue(user) -> QuerySet[Referral]:
    """What waits for Legal Services: referrals awaiting their advice (journalists and publishers,
    or anything Assurance asked them about), plus those this adviser has advised on."""
    if Role.LEGAL_SERVICES not in user_roles(user):
        return Referral.objects.none()
    return visible_referrals(user).filter(
        Q(status=ReferralStatus.AWAITING_LEGAL_ADVICE) | Q(legal_advice_by=user)
    )


def may_record_legal_advice(user, referral: Referral) -> bool:
    """Legal Services advise while the referral waits for them."""
    return (
        Role.LEGAL_SERVICES in user_roles(user)
        and referral.status == ReferralStatus.AWAITING_LEGAL_ADVICE
    )


def may_read_legal_advice(user) -> bool:
    """Legal Services' advice is for the Assurance team and Legal Services, not the referrer."""
    return bool(user_roles(user) & {Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES})


def live_entry_for(referral: Referral):
    """The live schedule entry of the person the referral is linked to, if they have one."""
    from schedule.models import LIVE_STATUSES

    if referral.person_id is None:
        return None
    return (
        referral.person.schedule_entries.filter(status__in=LIVE_STATUSES)
        .select_related("person")
        .first()
    )


# Where Assurance can confirm repeat behaviour from: a referral still to triage, and not one that
# waits for Legal Services (the protocol: advice "before the protocol is applied").
REPEAT_CONFIRMABLE = {ReferralStatus.SUBMITTED}


def may_confirm_repeat_behaviour(user, referral: Referral, entry=None) -> bool:
    """Assurance confirm repeat behaviour on a triaged referral about someone with a live entry."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return False
    triageable = referral.status in REPEAT_CONFIRMABLE or (
        referral.status == ReferralStatus.DRAFT and referral.source == ReferralSource.MAILBOX
    )
    if not triageable:
        return False
    return (entry or live_entry_for(referral)) is not None


def visible_evidence(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(referral__in=visible_referrals(user))


def triage_queue(user) -> QuerySet[Referral]:
    """What waits for the Assurance team: submitted referrals, answers, legal advice, mailbox drafts."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return Referral.objects.none()
    waiting = Q(
        status__in=[
            ReferralStatus.SUBMITTED,
            ReferralStatus.MORE_INFORMATION,
            ReferralStatus.AWAITING_LEGAL_ADVICE,
        ]
    ) | Q(status=ReferralStatus.DRAFT, source=ReferralSource.MAILBOX)
    return visible_referrals(user).filter(waiting)


def failed_emails(user) -> QuerySet[InboundEmail]:
    """Mailbox emails that could not be read: kept, with the reason, for Assurance to deal with."""
    if Role.ASSURANCE_OFFICER not in user_roles(user):
        return InboundEmail.objects.none()
    return InboundEmail.objects.filter(status="failed")


def can_see_referral_health(user, referral: Referral) -> bool:
    """The manager who wrote it may read back what they wrote; otherwise special-category roles."""
    return referral.referrer_id == user.pk or can_see_special_category(user)


def referral_candidates(user, referral: Referral, *, limit: int = 10):
    """People ``user`` may see who may be the individual in ``referral``; showing them is audited."""
    from ubpanel import audit

    from .matching import candidate_people

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
