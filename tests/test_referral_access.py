"""Every referral URL against every role: who gets in, who gets 403/404, and what is audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import InboundEmail
from referrals.services import evidence_add
from ubpanel.roles import Role

from .factories import PersonFactory, SubmittedReferralFactory

pytestmark = pytest.mark.django_db
ROLES = [*Role, None]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def objects(make_user):
    referral = SubmittedReferralFactory(person=PersonFactory())
    evidence = evidence_add(
        actor=referral.referrer, referral=referral, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    failed = InboundEmail.objects.create(
        message_id="<x@y>", status="failed", failure_reason="No headers", raw="mail/x.eml"
    )
    return {"referral": referral, "evidence": evidence, "failed": failed}


# name, url args from objects, who may open it (None: anyone with the role set decides by object)
READ_URLS = [
    ("referrals:detail", "referral", {Role.ASSURANCE_OFFICER, "referrer"}),
    ("referrals:triage_detail", "referral", {Role.ASSURANCE_OFFICER}),
    ("referrals:evidence_download", "evidence", {Role.ASSURANCE_OFFICER, "referrer"}),
    ("referrals:failed_email", "failed", {Role.ASSURANCE_OFFICER}),
]


@pytest.mark.parametrize(("name", "key", "allowed"), READ_URLS, ids=[u[0] for u in READ_URLS])
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "no-role")
def test_each_referral_page_opens_only_for_those_with_access_and_audits_both(
    client, make_user, objects, name, key, allowed, role, audit_entries
):
    target = objects[key]
    if role == Role.REFERRING_MANAGER:
        user = objects["referral"].referrer  # the referrer themself
    else:
        user = make_user(*([role] if role else []))
    client.force_login(user)

    response = client.get(reverse(name, args=[target.pk]))

    may = role in allowed or (role == Role.REFERRING_MANAGER and "referrer" in allowed)
    if may:
        assert response.status_code == 200
        event = "download" if key == "evidence" else "view"
        assert audit_entries(event=event, object_pk=str(target.pk), actor=user)
    else:
        assert response.status_code in (403, 404)
        if response.status_code == 404:
            assert audit_entries(event="denied", object_pk=str(target.pk), actor=user)


WRITE_URLS = [
    ("referrals:link_person", [], {"person": "new"}),
    ("referrals:merge", [], {"merge-into": "REF-00001"}),
    ("referrals:subject_edit", [], {"subject-subject_family_name": "X"}),
    ("referrals:triage_action", ["close"], {"close-reason": "x"}),
    ("referrals:answer", [], {"reason": "x"}),
]


@pytest.mark.parametrize(("name", "extra", "data"), WRITE_URLS, ids=[u[0] for u in WRITE_URLS])
@pytest.mark.parametrize(
    "role",
    [Role.FRONTLINE, Role.PANEL_CHAIR, Role.AUDITOR, Role.LEGAL_SERVICES, None],
    ids=lambda r: r.value if r else "no-role",
)
def test_no_other_role_can_change_a_referral(client, make_user, objects, name, extra, data, role):
    referral = objects["referral"]
    client.force_login(make_user(*([role] if role else [])))

    response = client.post(reverse(name, args=[referral.pk, *extra]), data)

    assert response.status_code in (403, 404)
    referral.refresh_from_db()
    assert referral.status == "submitted"


def test_another_services_manager_cannot_answer_or_see_the_referral(
    client, make_user, objects, audit_entries
):
    from .factories import ServiceFactory

    referral = objects["referral"]
    client.force_login(make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Waste")))

    assert (
        client.post(reverse("referrals:answer", args=[referral.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert audit_entries(event="denied", object_pk=str(referral.pk))


def test_the_referrers_list_audits_each_row(client, objects, audit_entries):
    referral = objects["referral"]
    client.force_login(referral.referrer)

    response = client.get(reverse("referrals:index"))

    assert referral.reference in response.content.decode()
    assert audit_entries(event="list", object_pk=str(referral.pk))


@pytest.mark.parametrize("rows", [2, 15])
def test_the_referrers_list_uses_a_constant_number_of_queries(
    client, make_user, rows, django_assert_max_num_queries
):
    manager = make_user(Role.REFERRING_MANAGER)
    SubmittedReferralFactory.create_batch(rows, referrer=manager, service=manager.service)
    client.force_login(manager)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("referrals:index")).status_code == 200
