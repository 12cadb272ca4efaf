"""Every refusal is audited, by one mechanism.

``RefusalAuditMiddleware`` looks at every response: a 403 (``PermissionDenied``, a CSRF failure) or a
404 (``Http404``, a record the user may not see, a page that does not exist) gets one ``denied``
audit row naming the page, the kind of record and its id from the URL, and the reason. Where the
view already wrote that row (``ubpanel.access.get_object_or_404`` does, with the lookup it tried),
nothing more is written: a refusal is recorded exactly once.

The rule for which of the two a refusal is: a URL naming a record (``pk``) that the user's roles
cannot reach answers 404, as if the record did not exist (``ubpanel.roles.role_required``); a 403
stays only where the user may see the record but not do that to it.

``OBJECT_KINDS`` says what each page is about, so that a refusal is filed under that kind of
record in the audit viewer; ``tests/test_every_url_every_role.py`` fails for a URL missing from it.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from . import audit

REFUSED = (403, 404)

# What each page is about (URL name -> "app_label.Model"). The id of the record is the URL's ``pk``.
OBJECT_KINDS: dict[str, str] = {
    "home": "ubpanel.User",
    "login": "ubpanel.User",
    "logout": "ubpanel.User",
    "password_change": "ubpanel.User",
    "mfa_account": "ubpanel.User",
    "mfa_verify": "ubpanel.User",
    "mfa_enrol": "ubpanel.User",
    "mfa_backup_codes": "ubpanel.User",
    "oidc_authentication_init": "ubpanel.User",
    "oidc_authentication_callback": "ubpanel.User",
    "audit_list": "auditlog.LogEntry",
    "notification_list": "ubpanel.Notification",
    "healthz": "auditlog.LogEntry",
    "healthz_live": "auditlog.LogEntry",
    "healthz_ready": "auditlog.LogEntry",
    # referrals
    "referrals:index": "referrals.Referral",
    "referrals:new": "referrals.Referral",
    "referrals:escalate": "referrals.Referral",
    "referrals:health_safety_list": "referrals.Referral",
    "referrals:health_safety_notice": "referrals.Referral",
    "referrals:detail": "referrals.Referral",
    "referrals:edit": "referrals.Referral",
    "referrals:check": "referrals.Referral",
    "referrals:draft_delete": "referrals.Referral",
    "referrals:answer": "referrals.Referral",
    "referrals:suggest_person": "referrals.Referral",
    "referrals:evidence_download": "referrals.Evidence",
    "referrals:triage_queue": "referrals.Referral",
    "referrals:triage_detail": "referrals.Referral",
    "referrals:link_person": "referrals.Referral",
    "referrals:merge": "referrals.Referral",
    "referrals:subject_edit": "referrals.Referral",
    "referrals:confirm_repeat_behaviour": "referrals.Referral",
    "referrals:triage_action": "referrals.Referral",
    "referrals:legal_queue": "referrals.Referral",
    "referrals:legal_advice": "referrals.Referral",
    "referrals:failed_email": "referrals.InboundEmail",
    "referrals:raw_email": "referrals.InboundEmail",
    "referrals:person_list": "referrals.Person",
    "referrals:person_detail": "referrals.Person",
    "referrals:adjustment_record": "referrals.Person",
    "referrals:adjustment_end": "referrals.Adjustment",
    # panel
    "panel:index": "panel.Meeting",
    "panel:meeting_new": "panel.Meeting",
    "panel:meeting_detail": "panel.Meeting",
    "panel:meeting_open": "panel.Meeting",
    "panel:meeting_open_elected": "panel.Meeting",
    "panel:meeting_join": "panel.Meeting",
    "panel:meeting_close": "panel.Meeting",
    "panel:item_add": "panel.Meeting",
    "panel:item_move": "panel.AgendaItem",
    "panel:item_withdraw": "panel.AgendaItem",
    "panel:item_invitees": "panel.AgendaItem",
    "panel:invitee_remove": "panel.Invitee",
    "panel:seats": "panel.SeatMember",
    "panel:attendance": "panel.Meeting",
    "panel:minutes": "panel.Meeting",
    "panel:item_detail": "panel.AgendaItem",
    "panel:item_live": "panel.AgendaItem",
    "panel:care_system": "panel.AgendaItem",
    "panel:statement": "panel.AgendaItem",
    "panel:evidence_download": "panel.AgendaItem",
    "panel:declare": "panel.AgendaItem",
    "panel:proposal": "panel.AgendaItem",
    "panel:declaration_rule": "panel.Declaration",
    "panel:decision_correct": "panel.Decision",
    "panel:ballot_open": "panel.AgendaItem",
    "panel:ballot_close": "panel.AgendaItem",
    "panel:vote": "panel.AgendaItem",
    # schedule
    "schedule:index": "schedule.Entry",
    "schedule:contact_check": "schedule.Entry",
    "schedule:entry_list": "schedule.Entry",
    "schedule:emergency_add": "schedule.Entry",
    "schedule:entry_detail": "schedule.Entry",
    "schedule:entry_record_owner": "schedule.Entry",
    "schedule:access_register": "schedule.AccessGrant",
    "schedule:access_request": "schedule.AccessGrant",
    "schedule:access_decide": "schedule.AccessGrant",
    "schedule:access_revoke": "schedule.AccessGrant",
    "schedule:access_register_csv": "schedule.AccessGrant",
    "schedule:access_register_xlsx": "schedule.AccessGrant",
    "schedule:single_access_request": "schedule.SingleAccessGrant",
    "schedule:single_access_decide": "schedule.SingleAccessGrant",
    "schedule:single_access_revoke": "schedule.SingleAccessGrant",
    "schedule:address_warning_list": "schedule.AddressWarning",
    "schedule:address_warning_add": "schedule.AddressWarning",
    "schedule:address_warning_detail": "schedule.AddressWarning",
    "schedule:address_warning_edit": "schedule.AddressWarning",
    "schedule:address_warning_end": "schedule.AddressWarning",
    "schedule:appeal_list": "schedule.Appeal",
    "schedule:appeal_detail": "schedule.Appeal",
    "schedule:appeal_nominate_representative": "schedule.Appeal",
    "schedule:appeal_record": "schedule.Entry",
    "schedule:review_overview": "schedule.Entry",
    # correspondence
    "correspondence:index": "correspondence.Letter",
    "correspondence:letter_from_decision": "panel.Decision",
    "correspondence:letter_for_referral": "referrals.Referral",
    "correspondence:letter_for_emergency": "schedule.Entry",
    "correspondence:letter_for_removal": "schedule.Entry",
    "correspondence:letter_detail": "correspondence.Letter",
    "correspondence:letter_edit": "correspondence.Letter",
    "correspondence:letter_preview": "correspondence.Letter",
    "correspondence:letter_approve": "correspondence.Letter",
    "correspondence:letter_send": "correspondence.Letter",
    "correspondence:letter_pdf": "correspondence.Letter",
    "correspondence:questionnaire_return": "correspondence.Letter",
    # rights: subject access exports
    "rights:export_request": "referrals.Person",
    "rights:export_list": "rights.SubjectAccessExport",
    "rights:export_detail": "rights.SubjectAccessExport",
    "rights:export_download": "rights.SubjectAccessExport",
    # rights: retention and legal holds
    "rights:retention": "rights.Anonymisation",
    "rights:legal_hold_place": "referrals.Person",
    "rights:legal_hold_lift": "rights.LegalHold",
    # rights: who viewed this person
    "rights:person_viewed": "referrals.Person",
    "rights:person_viewed_csv": "referrals.Person",
    # reports: committee statistics
    "reports:statistics": "reports.CommitteeReport",
    "reports:statistics_csv": "reports.CommitteeReport",
    "reports:statistics_xlsx": "reports.CommitteeReport",
    "reports:committee_report_new": "reports.CommitteeReport",
    "reports:committee_report": "reports.CommitteeReport",
    "reports:committee_report_download": "reports.CommitteeReport",
}

# Where a refused page names no kind of record (an address that does not exist).
PAGE_KIND = "auditlog.LogEntry"


def refused_kind(request: HttpRequest) -> tuple[type[models.Model], Any]:
    """The kind of record a refused request was about, and its id from the URL."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return apps.get_model(PAGE_KIND), ""
    label = OBJECT_KINDS.get(match.view_name)
    model_admin = getattr(match.func, "model_admin", None)
    if label:
        model = apps.get_model(label)
    elif model_admin is not None:
        model = model_admin.model
    else:
        model = apps.get_model(PAGE_KIND)
    return model, match.kwargs.get("pk", match.kwargs.get("object_id", ""))


def _reason(response: HttpResponse, error: Exception | None) -> str:
    if error is not None and str(error):
        return str(error)
    if response.status_code == 403:
        return "Refused: this user may not do that here."
    return "Not found, or not visible to this user."


def _already_recorded(request: HttpRequest, started, actor) -> bool:
    """Whether this request has written its own ``denied`` row (``get_object_or_404`` does).
    ``record()`` stores the request's path through the audit sanitiser, so it is compared so."""
    written = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        timestamp__gte=started,
        additional_data__event=str(audit.Event.DENIED),
        additional_data__path=audit.safe_text(request.path),
    )
    if actor is None:
        return written.filter(actor__isnull=True).exists()
    return written.filter(actor=actor).exists()


def record_refusal(request: HttpRequest, response: HttpResponse, error: Exception | None) -> None:
    """Write the ``denied`` row for a refused request: page, kind of record, id and reason.
    ``audit.record`` adds the path and method, and sanitises what the URL brought."""
    model, object_pk = refused_kind(request)
    match = getattr(request, "resolver_match", None)
    what = model._meta.verbose_name
    audit.record(
        audit.Event.DENIED,
        model=model,
        object_pk=object_pk,
        object_repr=f"{what} {object_pk}".strip() if match else f"page {request.path}",
        url_name=match.view_name if match else "",
        url_kwargs={key: str(value) for key, value in (match.kwargs if match else {}).items()},
        status=response.status_code,
        reason=_reason(response, error),
    )


class RefusalAuditMiddleware:
    """One ``denied`` audit row for every 403 and 404 answered to a request (see the module).

    It sits inside ``AuditContextMiddleware``, so its rows carry the actor and address like every
    other; the CSRF failure (a response from an outer middleware's ``process_view``) still passes
    through here on its way out. Anonymous requests for addresses that do not exist are not
    recorded: they are the internet's background noise, not a person refused.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = timezone.now()
        request.ubpanel_refusal = None
        response = self.get_response(request)
        if response.status_code in REFUSED:
            actor = audit.current_actor()
            if (actor is not None or getattr(request, "resolver_match", None) is not None) and (
                not _already_recorded(request, started, actor)
            ):
                record_refusal(request, response, request.ubpanel_refusal)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, (PermissionDenied, Http404)):
            request.ubpanel_refusal = exception
