from django.urls import path

from .views import (
    adjustments,
    check,
    drafts,
    health_safety,
    legal,
    mailbox,
    people,
    referrer,
    triage,
)

app_name = "referrals"
urlpatterns = [
    path("", referrer.index, name="index"),
    path("new/", referrer.referral_new, name="new"),
    path("escalate/", referrer.referral_escalate, name="escalate"),
    path("<id:pk>/", referrer.referral_detail, name="detail"),
    path("<id:pk>/edit/", referrer.referral_edit, name="edit"),
    path("<id:pk>/check/", check.referral_check, name="check"),
    path("<id:pk>/delete/", drafts.draft_delete, name="draft_delete"),
    path("<id:pk>/answer/", referrer.referral_answer, name="answer"),
    path("<id:pk>/person/", referrer.referral_suggest_person, name="suggest_person"),
    path("evidence/<id:pk>/", referrer.evidence_download, name="evidence_download"),
    path("triage/", triage.queue, name="triage_queue"),
    path("triage/<id:pk>/", triage.detail, name="triage_detail"),
    path("triage/<id:pk>/link-person/", triage.link_person, name="link_person"),
    path("triage/<id:pk>/merge/", triage.merge, name="merge"),
    path("triage/<id:pk>/individual/", triage.subject_edit, name="subject_edit"),
    path(
        "triage/<id:pk>/repeat-behaviour/",
        triage.confirm_repeat_behaviour,
        name="confirm_repeat_behaviour",
    ),
    path("triage/<id:pk>/<slug:action>/", triage.act, name="triage_action"),
    path("health-safety/", health_safety.notice_list, name="health_safety_list"),
    path("health-safety/<id:pk>/", health_safety.notice, name="health_safety_notice"),
    path("legal/", legal.legal_queue, name="legal_queue"),
    path("legal/<id:pk>/", legal.legal_advice, name="legal_advice"),
    path("mailbox/failed/<id:pk>/", triage.failed_email, name="failed_email"),
    path("mailbox/<id:pk>/original/", mailbox.raw_email, name="raw_email"),
    path("people/", people.person_list, name="person_list"),
    path("people/<id:pk>/", people.person_detail, name="person_detail"),
    path("people/<id:pk>/adjustments/new/", adjustments.record, name="adjustment_record"),
    path("adjustments/<id:pk>/end/", adjustments.end, name="adjustment_end"),
]
