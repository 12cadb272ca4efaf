"""The schedule's models, by part: entries (with ``ENTRY_GRAPH``), the access register
(``GRANT_GRAPH``), address warnings (``ADDRESS_WARNING_GRAPH``), appeals, and the search keys."""

from ubpanel.entry_status import LIVE_STATUSES, EntryStatus

from .access import GRANT_GRAPH, AccessGrant, AccessGrantStatus
from .address_warnings import ADDRESS_WARNING_GRAPH, AddressWarning, AddressWarningStatus
from .appeals import Appeal, AppealDecider, AppealGround, AppealOutcome
from .entries import (
    ENTRY_GRAPH,
    ContactCheck,
    Entry,
    EntryEvent,
    EntryEventKind,
    EntryGroupObjectPermission,
    EntryIncident,
    EntryUserObjectPermission,
    RemovedBy,
    StaffGuidance,
)
from .search_keys import SearchKey, SearchKeyKind
from .single_access import (
    SINGLE_ACCESS_GRAPH,
    AddressWarningGroupObjectPermission,
    AddressWarningUserObjectPermission,
    SingleAccessGrant,
    SingleAccessKind,
    SingleAccessStatus,
)

__all__ = [
    "ADDRESS_WARNING_GRAPH",
    "ENTRY_GRAPH",
    "GRANT_GRAPH",
    "SINGLE_ACCESS_GRAPH",
    "LIVE_STATUSES",
    "AccessGrant",
    "AccessGrantStatus",
    "AddressWarning",
    "AddressWarningGroupObjectPermission",
    "AddressWarningUserObjectPermission",
    "AddressWarningStatus",
    "Appeal",
    "AppealDecider",
    "AppealGround",
    "AppealOutcome",
    "ContactCheck",
    "Entry",
    "EntryEvent",
    "EntryEventKind",
    "EntryGroupObjectPermission",
    "EntryIncident",
    "RemovedBy",
    "EntryStatus",
    "EntryUserObjectPermission",
    "SearchKey",
    "SearchKeyKind",
    "SingleAccessGrant",
    "SingleAccessKind",
    "SingleAccessStatus",
    "StaffGuidance",
]
