"""The subject-access export's reference ("SAR-00007") is made in one place, the model, and the
pages, the file name and the audit trail all read it there (issue 15)."""

from pathlib import Path

from rights.exports.build import file_name
from rights.models import SubjectAccessExport
from ubpanel import audit_words
from ubpanel.audit_words import record_label


def test_an_export_is_named_by_its_number_in_five_digits():
    assert SubjectAccessExport(pk=7).reference == "SAR-00007"
    assert SubjectAccessExport(pk=123456).reference == "SAR-123456"


def test_the_export_pages_and_file_name_use_the_models_reference():
    export = SubjectAccessExport(pk=42)

    assert file_name(export) == "subject-access-SAR-00042.zip"


def test_the_audit_trail_names_an_export_by_the_models_reference_even_once_deleted():
    assert record_label("rights.subjectaccessexport", 7) == "Subject access export SAR-00007"


def test_the_audit_words_hold_no_format_of_their_own_for_the_reference():
    source = Path(audit_words.__file__).read_text()

    assert "SAR-{" not in source
    assert "REFERENCE_FORMATS" not in source
