"""The referrals app's models: the people known to the panel (``people``) and the referrals about
them (``cases``)."""

from referrals.statuses import ReferralSource, ReferralStatus
from ubpanel.storage import private_storage  # named by the migrations

from .cases import (
    BehaviourCategory,
    EventKind,
    Evidence,
    HealthConcern,
    InboundEmail,
    InboundEmailStatus,
    Incident,
    PoliceReport,
    Referral,
    ReferralEvent,
)
from .people import (
    Adjustment,
    AdjustmentNeed,
    AdjustmentSource,
    Person,
    PersonAddress,
    PersonAlias,
    PersonEmail,
    PersonPhone,
)

__all__ = [
    "private_storage",
    "ReferralSource",
    "ReferralStatus",
    "Adjustment",
    "AdjustmentNeed",
    "AdjustmentSource",
    "BehaviourCategory",
    "EventKind",
    "Evidence",
    "HealthConcern",
    "InboundEmail",
    "InboundEmailStatus",
    "Incident",
    "Person",
    "PersonAddress",
    "PersonAlias",
    "PersonEmail",
    "PersonPhone",
    "PoliceReport",
    "Referral",
    "ReferralEvent",
]
