"""A referral's statuses and where it comes from, and its status graph: every move, once."""

from django.db import models

from ubpanel.transitions import StatusGraph


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    MORE_INFORMATION = "more_information", "More information requested"
    AWAITING_LEGAL_ADVICE = "awaiting_legal_advice", "Awaiting legal advice"
    LETTER_RECOMMENDED = "letter_recommended", "Letter of expected behaviour recommended"
    OUT_OF_SCOPE = "out_of_scope", "Out of scope"
    READY_FOR_PANEL = "ready_for_panel", "Ready for panel"
    DECIDED = "decided", "Decided by the panel"
    CLOSED = "closed", "Closed"
    MERGED = "merged", "Merged into another referral"


_S = ReferralStatus
# Where Assurance triage from: a submitted referral, or one that waits for Legal Services (and a
# mailbox draft, below).
_TRIAGE = (_S.SUBMITTED, _S.AWAITING_LEGAL_ADVICE)
# Not a merged, decided or closed referral; a draft only when it came from the mailbox (below).
_OPEN = (_S.DRAFT, _S.SUBMITTED, _S.MORE_INFORMATION, _S.AWAITING_LEGAL_ADVICE)

# Every move a referral makes: (from, to, the service in referrals.services that makes it).
# Legal Services' advice comes "before the protocol is applied": a referral waiting for it is
# neither listed for the panel nor confirmed as repeat behaviour until they have advised.
REFERRAL_GRAPH = StatusGraph(
    ReferralStatus,
    [
        (_S.DRAFT, _S.SUBMITTED, "referral_submit"),
        (_S.DRAFT, _S.AWAITING_LEGAL_ADVICE, "referral_submit"),  # a journalist or publisher
        ((_S.DRAFT, *_TRIAGE), _S.MORE_INFORMATION, "referral_request_information"),
        (_S.MORE_INFORMATION, _S.SUBMITTED, "referral_provide_information"),
        ((_S.DRAFT, *_TRIAGE), _S.LETTER_RECOMMENDED, "referral_recommend_letter"),
        ((_S.DRAFT, *_TRIAGE), _S.OUT_OF_SCOPE, "referral_mark_out_of_scope"),
        ((_S.DRAFT, _S.SUBMITTED), _S.AWAITING_LEGAL_ADVICE, "referral_await_legal_advice"),
        (_S.AWAITING_LEGAL_ADVICE, _S.SUBMITTED, "referral_record_legal_advice"),
        ((_S.DRAFT, _S.SUBMITTED), _S.READY_FOR_PANEL, "referral_mark_ready_for_panel"),
        ((_S.DRAFT, _S.SUBMITTED), _S.READY_FOR_PANEL, "referral_confirm_repeat_behaviour"),
        (
            (*_OPEN, _S.LETTER_RECOMMENDED, _S.OUT_OF_SCOPE, _S.READY_FOR_PANEL),
            _S.CLOSED,
            "referral_close",
        ),
        (_S.READY_FOR_PANEL, _S.DECIDED, "referral_decided_by_panel"),
        (_OPEN, _S.MERGED, "referral_merge"),
    ],
)
# A manager's own web draft is theirs until they submit it: Assurance triage, or merge, a draft
# only when it came from the mailbox, as it stands (nobody else will complete it).
MAILBOX_DRAFT_ONLY = frozenset(
    {
        "referral_request_information",
        "referral_recommend_letter",
        "referral_mark_out_of_scope",
        "referral_await_legal_advice",
        "referral_mark_ready_for_panel",
        "referral_confirm_repeat_behaviour",
        "referral_merge",
    }
)


class ReferralSource(models.TextChoices):
    WEB = "web", "Web form"
    MAILBOX = "mailbox", "spocassurance mailbox"
    # The Health and Safety Team escalated an accident/incident report to the panel.
    HEALTH_SAFETY = "health_safety", "Health and Safety escalation"


def referral_sources(referral, service: str) -> frozenset:
    """The statuses ``service`` may move this referral from (``REFERRAL_GRAPH``, less a web draft
    for the services that triage only a mailbox draft)."""
    sources = REFERRAL_GRAPH.sources(service)
    if service in MAILBOX_DRAFT_ONLY and referral.source != ReferralSource.MAILBOX:
        sources -= {ReferralStatus.DRAFT}
    return sources


def waiting_for_triage() -> models.Q:
    """What waits for the Assurance team: submitted referrals, answers, legal advice, mailbox
    drafts. The triage queue's filter and the condition of its index (``referral_triage_queue``),
    which must stay the same expression for PostgreSQL to use the index."""
    return models.Q(
        status__in=[
            ReferralStatus.SUBMITTED,
            ReferralStatus.MORE_INFORMATION,
            ReferralStatus.AWAITING_LEGAL_ADVICE,
        ]
    ) | models.Q(status=ReferralStatus.DRAFT, source=ReferralSource.MAILBOX)
