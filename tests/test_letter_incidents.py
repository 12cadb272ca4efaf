"""Letters describe every incident the decision rests on, state the review date, how to complain to
the Local Government and Social Care Ombudsman, and the deadline for a review or appeal in working
days (issue 10, point 5)."""

import shutil
import subprocess
from datetime import date, time

import pytest
import time_machine
from django.core.exceptions import ValidationError

from correspondence import content, services
from correspondence.models import LetterKind, PdfVariant
from correspondence.pdf import letter_pdf
from referrals.models import PersonAddress
from schedule.models import EntryIncident
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    EntryFactory,
    IncidentFactory,
    LetterFactory,
    PersonFactory,
    UserFactory,
)
from .test_letter_workflow import _decided

pytestmark = pytest.mark.django_db

INTERNAL = "Police reference 55/2026; the neighbour at no. 12 told us in confidence"


@pytest.fixture
def assurance():
    return UserFactory(username="assurance", roles=[Role.ASSURANCE_OFFICER])


@pytest.fixture
def manager():
    return UserFactory(username="opsmanager", roles=[Role.REFERRING_MANAGER])


def _entry_with_incidents(factory=ActiveEntryFactory, **fields):
    entry = factory(
        person=PersonFactory(),
        review_due_on=date(2027, 12, 3),
        internal_notes=INTERNAL,
        incident_summary=f"Threats at reception. {INTERNAL}",
        reason="Threats and abuse towards reception staff, on three occasions.",
        **fields,
    )
    PersonAddress.objects.create(
        person=entry.person, address="7 Cornhill, Dorchester", postcode="DT1 1BA"
    )
    for day, at, location, description in (
        (date(2026, 3, 3), time(14, 5), "Civic Centre reception", "Shouted at the receptionist."),
        (date(2026, 3, 10), None, "Civic Centre car park", "Followed an officer to her car."),
        (date(2026, 4, 1), time(9, 30), "Civic Centre reception", "Threw a leaflet stand."),
    ):
        EntryIncident.objects.create(
            entry=entry,
            occurred_on=day,
            occurred_at=at,
            location=location,
            description=description,
            categories=["threatening"],
        )
    return entry


def _every_text(letter) -> str:
    return "\n".join(getattr(letter, name) for name in services.LETTER_FIELDS)


def test_the_letter_describes_every_incident_on_the_entry_each_in_its_own_paragraph(assurance):
    entry = _entry_with_incidents()

    letter = services.letter_draft(
        actor=assurance, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )

    assert letter.incident_description.split("\n\n") == [
        "On 3 March 2026 at 14:05, at Civic Centre reception: Shouted at the receptionist.",
        "On 10 March 2026, at Civic Centre car park: Followed an officer to her car.",
        "On 1 April 2026 at 09:30, at Civic Centre reception: Threw a leaflet stand.",
    ]
    assert letter.incident_location == "Civic Centre reception; Civic Centre car park"
    assert letter.incident_when == "3 March 2026 at 14:05; 10 March 2026; 1 April 2026 at 09:30"


def test_the_entrys_incidents_come_before_the_referrals(assurance):
    entry = _entry_with_incidents()
    referral = IncidentFactory(description="Something else entirely.").referral

    letter = services.letter_draft(
        actor=assurance,
        kind=LetterKind.LOW_MEDIUM,
        person=entry.person,
        entry=entry,
        referral=referral,
    )

    assert "Threw a leaflet stand." in letter.incident_description
    assert "Something else entirely." not in letter.incident_description


def test_a_letter_from_the_decision_describes_every_incident_of_the_referral(assurance):
    # Its referral's incidents: 2 November 2026 at the housing office, and this one.
    item = _decided(
        more_incidents=[
            {
                "occurred_on": date(2026, 11, 9),
                "occurred_at": time(16, 45),
                "location": "Telephone, Customer Services",
                "description": "Called eleven times in an hour and swore at the adviser.",
            }
        ]
    )

    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)

    assert "threatened to come back with a knife" in letter.incident_description
    assert "Called eleven times in an hour" in letter.incident_description
    assert letter.incident_location == "Housing office, Dorchester; Telephone, Customer Services"
    assert letter.incident_when == "2 November 2026; 9 November 2026 at 16:45"


def test_a_single_incident_is_written_as_it_was_recorded(assurance):
    entry = ActiveEntryFactory()
    EntryIncident.objects.create(
        entry=entry,
        occurred_on=date(2026, 5, 6),
        occurred_at=time(11, 0),
        location="Library, Weymouth",
        description="Threatened the librarian.",
    )

    letter = services.letter_draft(
        actor=assurance, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )

    assert (letter.incident_description, letter.incident_location, letter.incident_when) == (
        "Threatened the librarian.",
        "Library, Weymouth",
        "6 May 2026 at 11:00",
    )


@pytest.mark.parametrize("with_incidents", [True, False])
def test_the_chairs_internal_notes_never_go_into_the_letter(with_incidents):
    legal = UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])
    if with_incidents:
        entry = _entry_with_incidents(factory=EntryFactory)
    else:
        entry = EntryFactory(
            internal_notes=INTERNAL,
            incident_summary=f"Threats at reception. {INTERNAL}",
            reason="Threatened staff with violence.",
        )

    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )

    assert "Police reference" not in _every_text(letter)
    assert "in confidence" not in _every_text(letter)
    assert letter.why_unreasonable == entry.reason


def test_the_letter_states_the_review_date_and_approval_requires_it(assurance, manager):
    entry = _entry_with_incidents(record_owner=manager)
    letter = services.letter_draft(
        actor=assurance, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    assert "The panel will review the record on 3 December 2027" in letter.logging_statement
    assert "12 months" in letter.logging_statement
    assert content.missing_elements(letter) == []

    services.letter_update(
        actor=assurance, letter=letter, fields={"logging_statement": content.LOGGING_STATEMENT}
    )

    with pytest.raises(ValidationError, match=r"the date the panel will review the record \(3 Dec"):
        services.letter_approve(actor=manager, letter=letter)


@pytest.mark.parametrize("kind", [LetterKind.LOW_MEDIUM, LetterKind.HIGH])
def test_low_medium_and_high_letters_must_say_how_to_complain_to_the_ombudsman(kind):
    letter = LetterFactory(kind=kind, ombudsman="")
    assert any(
        "Local Government and Social Care Ombudsman" in m for m in content.missing_elements(letter)
    )

    letter.ombudsman = content.OMBUDSMAN
    assert content.missing_elements(letter) == []
    assert "www.lgo.org.uk" in content.OMBUDSMAN
    assert "0300 061 0614" in content.OMBUDSMAN


def test_a_letter_of_expected_behaviour_needs_no_ombudsman_paragraph():
    letter = LetterFactory(of_expected_behaviour=True)
    assert letter.ombudsman == ""
    assert content.missing_elements(letter) == []


def test_the_prefilled_letters_carry_the_ombudsman_paragraph(assurance):
    entry = _entry_with_incidents()
    low = services.letter_draft(
        actor=assurance, kind=LetterKind.LOW_MEDIUM, person=entry.person, entry=entry
    )
    expected = services.letter_draft(
        actor=assurance, kind=LetterKind.EXPECTED_BEHAVIOUR, person=entry.person
    )
    assert low.ombudsman == content.OMBUDSMAN
    assert expected.ombudsman == ""


@pytest.mark.parametrize(
    ("kind", "paragraph"),
    [("low_medium", content.REVIEW_PROCESS), ("high", content.APPEAL_PROCESS)],
)
def test_the_review_and_appeal_paragraphs_name_the_deadline_in_working_days(kind, paragraph):
    assert "within 28 working days" in paragraph
    letter = LetterFactory(kind=kind, review_or_appeal="Write to the Monitoring Officer.")

    assert "that the request must be made in writing within 28 working days" in (
        content.missing_elements(letter)
    )


# --- The PDF ------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes, folder) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils (pdftotext) is not installed")
    path = folder / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return "".join(text.split())


@pytest.mark.parametrize("kind", [LetterKind.LOW_MEDIUM, LetterKind.HIGH])
def test_the_pdf_shows_every_incident_the_review_date_the_ombudsman_and_the_deadline(
    kind, assurance, tmp_path
):
    entry = _entry_with_incidents(
        factory=EntryFactory if kind == LetterKind.HIGH else ActiveEntryFactory
    )
    letter = services.letter_draft(actor=assurance, kind=kind, person=entry.person, entry=entry)

    # Dated 23 November 2026: 28 working days on, past Christmas and New Year, is 5 January 2027.
    with time_machine.travel(date(2026, 11, 23)):
        text = _pdf_text(letter_pdf(letter, PdfVariant.STANDARD).pdf, tmp_path)

    squash = lambda words: "".join(words.split())  # noqa: E731
    for incident in entry.incidents.all():
        assert squash(incident.description) in text
        assert squash(incident.location) in text
    assert squash("On 3 March 2026 at 14:05, at Civic Centre reception:") in text
    assert squash("On 10 March 2026, at Civic Centre car park:") in text
    assert squash("1 April 2026 at 09:30") in text
    assert squash("The panel will review the record on 3 December 2027") in text
    assert squash("Local Government and Social Care Ombudsman") in text
    assert "www.lgo.org.uk" in text
    assert squash("0300 061 0614") in text
    assert squash("within 28 working days") in text
    assert squash("must reach the council by Tuesday 5 January 2027") in text
    assert INTERNAL.split(";")[0].replace(" ", "") not in text


def test_a_letter_of_expected_behaviour_prints_no_appeal_deadline(tmp_path):
    letter = LetterFactory(of_expected_behaviour=True)
    with time_machine.travel(date(2026, 11, 23)):
        text = _pdf_text(letter_pdf(letter, PdfVariant.STANDARD).pdf, tmp_path)
    assert "mustreachthecouncilby" not in text
    assert "Ombudsman" not in text
