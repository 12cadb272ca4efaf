"""Writes that skip save() are audited too: one auditlog entry per object, shaped like save()'s."""

import ast
from pathlib import Path

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import Evidence, Incident, Referral
from referrals.services import evidence_add
from ubpanel.audit import acting_as, update_audited
from ubpanel.roles import Role

from .factories import ServiceFactory, SubmittedReferralFactory
from .test_referral_form import form_data, send_referral

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def entries_for(model, action):
    return list(
        LogEntry.objects.filter(content_type__model=model._meta.model_name, action=action).order_by(
            "pk"
        )
    )


def test_incidents_created_through_the_referral_form_each_have_their_audit_entry(client, make_user):
    manager = make_user(Role.REFERRING_MANAGER, service=ServiceFactory(name="Housing"))
    client.force_login(manager)
    data = form_data(
        **{
            "incidents-TOTAL_FORMS": "2",
            "incidents-1-occurred_on": "2026-11-03",
            "incidents-1-location": "Phone",
            "incidents-1-description": "Called forty times in an hour.",
        }
    )

    response = send_referral(client, data)

    assert response.status_code == 302
    incidents = list(Referral.objects.get().incidents.order_by("pk"))
    created = entries_for(Incident, LogEntry.Action.CREATE)
    assert [entry.object_pk for entry in created] == [str(i.pk) for i in incidents]
    assert [entry.object_id for entry in created] == [i.pk for i in incidents]
    assert {entry.actor for entry in created} == {manager}
    assert created[0].changes["location"] == [None, "County Hall reception"]
    assert created[1].changes["description"] == [None, "Called forty times in an hour."]


def test_evidence_moved_on_merge_each_has_its_audit_entry(assurance_client):
    original = SubmittedReferralFactory()
    duplicate = SubmittedReferralFactory()
    files = [
        evidence_add(
            actor=duplicate.referrer,
            referral=duplicate,
            upload=SimpleUploadedFile(f"call-{n}.pdf", PDF, content_type="application/pdf"),
        )
        for n in (1, 2)
    ]

    response = assurance_client.post(
        reverse("referrals:merge", args=[duplicate.pk]), {"merge-into": original.reference}
    )

    assert response.status_code == 302
    assert set(Evidence.objects.filter(referral=original)) == set(files)
    moved = entries_for(Evidence, LogEntry.Action.UPDATE)
    assert sorted(entry.object_pk for entry in moved) == sorted(str(e.pk) for e in files)
    assert {entry.actor for entry in moved} == {assurance_client.user}
    assert {tuple(entry.changes["referral"]) for entry in moved} == {(duplicate.pk, original.pk)}


def test_a_bulk_update_that_changes_nothing_writes_nothing(assurance_client):
    referral = SubmittedReferralFactory()
    evidence_add(
        actor=referral.referrer,
        referral=referral,
        upload=SimpleUploadedFile("call.pdf", PDF, content_type="application/pdf"),
    )
    before = LogEntry.objects.count()

    with acting_as(assurance_client.user):
        assert update_audited(Evidence.objects.filter(referral=referral), referral=referral) == 1

    assert LogEntry.objects.count() == before


def test_a_bulk_update_honours_disable_auditlog():
    original, duplicate = SubmittedReferralFactory(), SubmittedReferralFactory()
    evidence_add(
        actor=duplicate.referrer,
        referral=duplicate,
        upload=SimpleUploadedFile("call.pdf", PDF, content_type="application/pdf"),
    )
    before = LogEntry.objects.count()

    with disable_auditlog():
        update_audited(Evidence.objects.filter(referral=duplicate), referral=original)

    assert LogEntry.objects.count() == before
    assert Evidence.objects.get().referral == original


def test_no_service_writes_in_bulk_past_the_audit_trail():
    """bulk_create, bulk_update and QuerySet.update() send no signals, so auditlog never sees them:
    the apps write in bulk through ubpanel.audit's audited versions (the audit plumbing excepted)."""
    root = Path(__file__).resolve().parent.parent
    plumbing = {
        root / "ubpanel" / "audit.py",
        root / "ubpanel" / "audit_bulk.py",
        root / "ubpanel" / "audit_chain.py",
    }
    offenders = []
    for app in ("ubpanel", "referrals", "schedule", "panel", "correspondence"):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts or path in plumbing:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                name, receiver = node.func.attr, node.func.value
                queryset_update = (
                    name == "update"
                    and isinstance(receiver, ast.Call)
                    and isinstance(receiver.func, ast.Attribute)
                    and receiver.func.attr in {"filter", "exclude", "all", "select_for_update"}
                )
                if name in {"bulk_create", "bulk_update"} or queryset_update:
                    offenders.append(f"{path.relative_to(root)}:{node.lineno} {name}")

    assert offenders == []
