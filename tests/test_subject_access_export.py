"""The subject access export (issue 14, point 2): everything held about one person - and nothing
about anyone else - in one ZIP with a readable PDF summary, a JSON and the files."""

import hashlib
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from rights.exports import build
from rights.models import ExportStatus, SubjectAccessExport
from rights.services.exports import subject_access_export_request
from ubpanel.roles import Role

from .factories import UserFactory
from .factories_subject_access import EVIDENCE, LETTER_PDF, RAW_EMAIL, full_record
from .subject_access_zip import every_text, export_json, members, pdf_text, stored_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return full_record()


@pytest.fixture
def quick_summary(monkeypatch):
    """For tests about the JSON and the files: WeasyPrint takes seconds a summary; the tests that
    read the summary use the real one."""
    monkeypatch.setattr(build, "summary_pdf", lambda data: b"%PDF-1.4 stub")


@pytest.fixture
def made(record, django_capture_on_commit_callbacks):
    """``made(redact=...)``: the chair asks for an export; the task (eager in tests) makes it."""

    def make(*, redact: bool = False, actor=None) -> SubjectAccessExport:
        with django_capture_on_commit_callbacks(execute=True):
            export = subject_access_export_request(
                actor=actor or record.chair, person=record.person, redact_staff_names=redact
            )
        export.refresh_from_db()
        return export

    return make


def test_the_export_is_made_ready_with_its_size_checksum_and_expiry(quick_summary, made, settings):
    export = made()

    body = stored_zip(export)
    assert export.status == ExportStatus.READY
    assert export.progress == 100
    assert export.size == len(body)
    assert export.sha256 == hashlib.sha256(body).hexdigest()
    assert export.expires_at == export.finished_at + timedelta(
        days=settings.SUBJECT_ACCESS_EXPORT_DAYS
    )


def test_the_zip_holds_the_summary_the_json_and_every_file_as_held(made, record):
    files = members(stored_zip(made()))
    first = record.referrals[0]

    assert files["summary.pdf"].startswith(b"%PDF-")
    assert files[f"files/evidence/{first.reference}/{record.evidence.pk}-call-log.pdf"] == EVIDENCE
    assert files[f"files/letters/{record.letter.reference}-v1-standard.pdf"] == LETTER_PDF
    assert files[f"files/emails/{first.reference}.eml"] == RAW_EMAIL
    listed = {f["path"]: f for f in export_json(files)["files"]}
    assert set(listed) == {name for name in files if name.startswith("files/")}
    assert all(f["sha256"] == hashlib.sha256(files[p]).hexdigest() for p, f in listed.items())


def test_the_json_holds_the_person_their_referrals_entry_panel_letters_and_rights(
    quick_summary, made, record
):
    data = export_json(members(stored_zip(made())))
    first, second, duplicate = record.referrals

    assert data["format"] == "ubpanel-subject-access-export"
    assert data["export"]["person_id"] == record.person.pk
    assert data["person"]["family_name"] == "Quarrington"
    assert data["person"]["date_of_birth"] == "1970-05-17"
    assert data["person"]["aliases"] == ["Otto Q"]
    assert data["person"]["addresses"] == [
        {"address": "14 Acland Road\nDorchester", "postcode": "DT1 1JW"}
    ]
    assert data["person"]["emails"] == ["otto@example.org"]
    assert data["person"]["phones"] == ["07700 900123"]
    assert data["person"]["health_and_disability"] == "Uses a hearing aid."
    refs = {r["reference"]: r for r in data["referrals"]}
    assert set(refs) == {first.reference, second.reference, duplicate.reference}
    assert refs[duplicate.reference]["merged_into"] == second.reference
    [incident] = refs[first.reference]["incidents"]
    assert incident["date"] == "2026-03-03"
    assert incident["time"] == "10:15:00"
    assert incident["what_happened"] == "Shouted at the receptionist."
    assert refs[first.reference]["email"]["subject"] == "About Ottoline"
    assert refs[first.reference]["history"][0]["kind"] == "submitted"
    [entry] = data["entries"]
    assert entry["reference"] == record.entry.reference
    assert entry["appeals"][0]["statement"].startswith("I was only asking")
    assert [e["kind"] for e in entry["history"]] == ["panel_decision"]
    assert entry["contact_checks"][0]["purpose"] == "Before a home visit"
    [granted] = entry["need_to_know_access"]
    assert granted["to"] == "Repairs"
    assert granted["why"] == "Boiler repair visit"
    [item] = data["panel_items"]
    assert item["referral"] == first.reference
    assert item["decision"]["reasons"] == "Repeated abuse of the housing team."
    assert item["decision"]["health_notes"] == "Hearing aid noted."
    assert item["decision"]["votes_for"] == 4
    assert item["ballots"][0]["votes"][0]["choice"] == "for"
    [warning] = data["address_warnings"]
    assert warning["guidance"] == "Visit in pairs (Ottoline)."
    [letter] = data["letters"]
    assert letter["reference"] == record.letter.reference
    assert letter["pdfs"][0]["file"] == f"files/letters/{record.letter.reference}-v1-standard.pdf"
    assert letter["questionnaire_returns"][0]["issue_details"] == "Hearing impairment."
    assert data["adjustments"][0]["need"] == "hearing_impairment"
    assert data["legal_holds"][0]["reason"] == "A complaint to the Ombudsman."


def test_the_json_holds_the_views_by_three_users(quick_summary, made, record):
    data = export_json(members(stored_zip(made())))

    viewers = {row["by"] for row in data["audit"] if row["event"] == "view"}
    assert {"Harriet Referwell", "Percival Seatholder", "Agatha Triager"} <= viewers
    [search] = [row for row in data["audit"] if row["event"] == "search"]
    assert search["by"] == "Percival Seatholder"
    assert search["record"] == ""  # it named the other person too
    assert all(row["at"][:4].isdigit() and "T" in row["at"] for row in data["audit"])


def test_the_summary_pdf_reads_as_the_record(made, record):
    text = " ".join(pdf_text(members(stored_zip(made()))["summary.pdf"]).split())

    assert "Information held about Ottoline Quarrington" in text
    for heading in ("About you", "Referrals about you", "The panel's papers and decisions"):
        assert heading in text
    assert record.referrals[0].reference in text
    assert record.entry.reference in text
    assert record.letter.reference in text
    assert "Repeated abuse of the housing team." in text
    assert "Harriet Referwell" in text  # a viewer, named: this export does not redact


def test_nothing_about_the_other_person_is_in_it(made, record):
    """The other person shares the service, the meeting, the address, the viewers."""
    text = every_text(members(stored_zip(made())))

    for theirs in ("Zebedee", "Marchbanks", "OTHER-", f'person {record.other.pk}"'):
        assert theirs not in text


def test_redacted_staff_names_are_replaced_by_their_role(made, record):
    files = members(stored_zip(made(redact=True)))
    text = every_text({**files, **{"files/emails/x.eml": b""}})
    data = export_json(files)

    for name in ("Harriet", "Referwell", "Percival", "Seatholder", "Agatha", "Triager"):
        assert name not in files["export.json"].decode()
        assert name not in " ".join(pdf_text(files["summary.pdf"]).split())
    assert "Constance Chairwoman" not in text
    assert "Rosalind" not in text  # staff_affected is withheld whole
    first = next(r for r in data["referrals"] if r["reference"] == record.referrals[0].reference)
    assert first["referrer"] == "Referring manager"
    assert first["summary"].endswith("Referring manager took the calls.")
    assert {row["by"] for row in data["audit"] if row["event"] == "view"} >= {
        "Referring manager",
        "Panel member",
        "Assurance officer",
    }
    assert all("from" not in row for row in data["audit"])
    # What the letters told the person stays: the signatory and the single point of contact.
    assert data["letters"][0]["sender_name"] == "Alex Advocate"
    assert data["entries"][0]["spoc_name"] == "Sam Spoc"
    assert data["export"]["redact_staff_names"] is True


def test_unredacted_staff_are_named(quick_summary, made, record):
    data = export_json(members(stored_zip(made(redact=False))))

    first = next(r for r in data["referrals"] if r["reference"] == record.referrals[0].reference)
    assert first["referrer"] == "Harriet Referwell"
    assert first["incidents"][0]["staff_affected"] == "Rosalind Receptionist"
    assert data["letters"][0]["approved_by"] == "Constance Chairwoman"


def test_the_build_saves_its_progress_as_it_goes(quick_summary, made, monkeypatch):
    seen = []
    real = build.progress

    def watched(export, percent, stage):
        real(export, percent, stage)
        row = SubjectAccessExport.objects.get(pk=export.pk)
        seen.append((row.status, row.progress, row.stage))

    monkeypatch.setattr(build, "progress", watched)

    made()

    assert len(seen) >= 5
    assert all(status == ExportStatus.RUNNING for status, _, _ in seen)
    percents = [percent for _, percent, _ in seen]
    assert percents == sorted(percents)
    assert percents[-1] < 100
    assert "Writing the summary PDF" in [stage for _, _, stage in seen]


def _stored_exports(tmp_path):
    folder = tmp_path / "private" / "exports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_failure_is_recorded_and_leaves_no_file(made, monkeypatch, tmp_path):
    def broken(data):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(build, "summary_pdf", broken)

    export = made()

    assert export.status == ExportStatus.FAILED
    assert "RuntimeError" in export.failure
    assert not export.file
    assert export.sha256 == ""
    assert export.size is None
    assert _stored_exports(tmp_path) == []


def test_a_failure_after_the_file_was_stored_deletes_it(quick_summary, made, monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise OSError("the database went away")

    monkeypatch.setattr(build, "_finish", refuse)

    export = made()

    assert export.status == ExportStatus.FAILED
    assert _stored_exports(tmp_path) == []


def test_an_export_is_made_once(quick_summary, made):
    export = made()

    assert build.export_build(export.pk) is None
    assert SubjectAccessExport.objects.get(pk=export.pk).sha256 == export.sha256


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.AUDITOR, Role.ASSURANCE_OFFICER])
def test_only_the_chair_or_the_data_protection_officer_may_ask(record, role):
    with pytest.raises(PermissionDenied):
        subject_access_export_request(
            actor=UserFactory(roles=[role]), person=record.person, redact_staff_names=True
        )
    assert not SubjectAccessExport.objects.exists()


def test_the_data_protection_officer_may_ask(quick_summary, made, record):
    assert made(actor=record.dpo).status == ExportStatus.READY


def _exports_rows(person_pk):
    return [
        row
        for row in LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
        if row.additional_data.get("event") == "export"
        and person_pk in (row.additional_data.get("people") or [])
    ]


def test_the_request_and_the_making_are_audited_naming_the_person(quick_summary, made, record):
    export = made()

    rows = _exports_rows(record.person.pk)
    assert [row.additional_data.get("step") for row in rows] == ["requested", None]
    assert {row.actor for row in rows} == {record.chair}
    assert rows[1].additional_data["export"] == f"SAR-{export.pk:05d}"
    assert rows[1].additional_data["sha256"] == export.sha256
