"""Every letter status against every transition of LETTER_GRAPH: a move the graph allows is made,
and any other is refused with the letter left as it was."""

from datetime import date

import pytest
from django.utils import timezone

from correspondence import services
from correspondence.models import LETTER_GRAPH, Letter, LetterKind, LetterStatus
from referrals.models import PersonAddress
from schedule.models import EntryIncident
from ubpanel.roles import Role

from .factories import EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal():
    return UserFactory(username="legal", roles=[Role.LEGAL_SERVICES])


@pytest.fixture
def chair():
    return UserFactory(username="chair", roles=[Role.PANEL_CHAIR])


def _letter_in(status, legal) -> Letter:
    """A high-risk letter (Legal Services draft, approve and send it) in ``status``, with its
    PDFs once it is approved."""
    entry = EntryFactory()
    PersonAddress.objects.create(
        person=entry.person, address="2 North Square, Dorchester", postcode="DT1 1HZ"
    )
    EntryIncident.objects.create(
        entry=entry,
        occurred_on=date(2026, 10, 5),
        location="Front door, 2 North Square",
        description="Threatened a housing officer with a knife.",
    )
    letter = services.letter_draft(
        actor=legal, kind=LetterKind.HIGH, person=entry.person, entry=entry
    )
    cancelled = status == LetterStatus.CANCELLED
    Letter.objects.filter(pk=letter.pk).update(
        status=status,
        cancelled_at=timezone.now() if cancelled else None,
        cancelled_reason="Not ratified." if cancelled else "",
    )
    if status in (LetterStatus.APPROVED, LetterStatus.SENT):
        services.letter_pdf_make(letter_id=letter.pk, version=1)
    letter.refresh_from_db()
    return letter


# How each service in the graph is called on a letter.
RUN = {
    "letter_update": lambda letter, legal, chair: services.letter_update(
        actor=legal, letter=letter, fields={"closing": "Please keep this letter."}
    ),
    "letter_approve": lambda letter, legal, chair: services.letter_approve(
        actor=legal, letter=letter
    ),
    "letter_send": lambda letter, legal, chair: services.letter_send(
        actor=legal, letter=letter, method="post"
    ),
    "letters_cancel_for_entry": lambda letter, legal, chair: services.letters_cancel_for_entry(
        actor=chair, entry=letter.entry, reason="Not ratified."
    ),
}


def test_every_service_in_the_graph_is_walked():
    assert set(RUN) == set(LETTER_GRAPH.services())


@pytest.mark.parametrize("name", LETTER_GRAPH.services())
@pytest.mark.parametrize("status", LetterStatus.values)
def test_every_status_and_every_transition(status, name, legal, chair):
    letter = _letter_in(status, legal)
    before = (letter.status, letter.version, letter.closing)

    if LETTER_GRAPH.allows(status, name):
        RUN[name](letter, legal, chair)
        letter.refresh_from_db()
        [target] = {
            t.target for t in LETTER_GRAPH.transitions if (t.source, t.service) == (status, name)
        }
        assert letter.status == target
    else:
        if name == "letters_cancel_for_entry":
            assert RUN[name](letter, legal, chair) == []  # nothing to cancel: left as it was
        else:
            with pytest.raises(services.LetterError):
                RUN[name](letter, legal, chair)
        letter.refresh_from_db()
        assert (letter.status, letter.version, letter.closing) == before


def test_nothing_leaves_sent_or_cancelled():
    finished = {LetterStatus.SENT, LetterStatus.CANCELLED}
    assert not [t for t in LETTER_GRAPH.transitions if t.source in finished]
