from django.urls import path

from .views import legal, people, referrer, triage

app_name = "referrals"
urlpatterns = [
    path("", referrer.index, name="index"),
    path("new/", referrer.referral_edit, name="new"),
    path("<int:pk>/", referrer.referral_detail, name="detail"),
    path("<int:pk>/edit/", referrer.referral_edit, name="edit"),
    path("<int:pk>/answer/", referrer.referral_answer, name="answer"),
    path("<int:pk>/person/", referrer.referral_suggest_person, name="suggest_person"),
    path("evidence/<int:pk>/", referrer.evidence_download, name="evidence_download"),
    path("triage/", triage.queue, name="triage_queue"),
    path("triage/<int:pk>/", triage.detail, name="triage_detail"),
    path("triage/<int:pk>/link-person/", triage.link_person, name="link_person"),
    path("triage/<int:pk>/merge/", triage.merge, name="merge"),
    path("triage/<int:pk>/individual/", triage.subject_edit, name="subject_edit"),
    path(
        "triage/<int:pk>/repeat-behaviour/",
        triage.confirm_repeat_behaviour,
        name="confirm_repeat_behaviour",
    ),
    path("triage/<int:pk>/<slug:action>/", triage.act, name="triage_action"),
    path("legal/", legal.legal_queue, name="legal_queue"),
    path("legal/<int:pk>/", legal.legal_advice, name="legal_advice"),
    path("mailbox/failed/<int:pk>/", triage.failed_email, name="failed_email"),
    path("people/", people.person_list, name="person_list"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
]
