"""The few places a lower layer must set off work that belongs to a higher one.

Layers only import downward (``ubpanel`` ← ``referrals`` ← ``schedule`` ← ``panel`` ←
``correspondence``). When the schedule or a referral needs the panel's agenda or the letters to act,
it calls one of the named hooks below; the higher app connects the function that does the work in
its ``AppConfig.ready()``. A hook has exactly one receiver and runs at once, in the caller's
transaction: it is a plain call whose target the lower layer cannot name, not an event bus. A hook
made with ``many=True`` gathers what several higher apps add to a page: each app connects one
receiver returning a dict, and calling the hook returns them merged.
``tests/test_layers.py`` checks every hook is connected.
"""

from collections.abc import Callable


class Hook:
    def __init__(self, name: str, doc: str, *, many: bool = False):
        self.name = name
        self.__doc__ = doc
        self.many = many
        self.receiver: Callable | None = None
        self.receivers: list[Callable] = []

    def connect(self, receiver: Callable) -> None:
        if not self.many:
            self.receiver = receiver
            return
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        self.receiver = self._merged

    def _merged(self, **kwargs) -> dict:
        merged: dict = {}
        for receiver in self.receivers:
            merged.update(receiver(**kwargs))
        return merged

    def __call__(self, **kwargs):
        if self.receiver is None:
            raise RuntimeError(f"Nothing is connected to the {self.name} hook.")
        return self.receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


panel_work_waiting = Hook(
    "panel_work_waiting",
    "Something now waits for the panel (a referral ready, an emergency addition, an access "
    "request, an underlying issue): put it on the next arranged meeting's agenda. "
    "Connected to panel.services.agenda.agenda_fill_next_meeting(actor=...).",
)
entry_letters_cancel = Hook(
    "entry_letters_cancel",
    "What an entry's unsent letters would say is no longer true (the entry was removed or the "
    "appeal upheld): cancel them. Connected to correspondence.services.letters_cancel_for_entry"
    "(actor=..., entry=..., reason=...).",
)
repeat_behaviour_confirmed = Hook(
    "repeat_behaviour_confirmed",
    "Assurance confirmed a new referral is repeat behaviour by someone already on the schedule: "
    "the entry's clock restarts from the new incident. Connected to "
    "schedule.services.entry_record_repeat_behaviour(actor=..., entry=..., referral=..., "
    "incident_on=...), which returns the entry.",
)
entry_page_context = Hook(
    "entry_page_context",
    "What the higher apps add to an entry's full case page, called with (user=..., entry=...): "
    "each receiver returns a dict for the template, and the hook returns them merged. Connected "
    "to panel.entry_page.entry_page_context (the panel's decisions on the entry) and "
    "correspondence.entry_page.entry_page_context (whether the user may draft its letter).",
    many=True,
)
person_page_context = Hook(
    "person_page_context",
    "What the higher apps add to a person's page, called with (user=..., person=...): each "
    "receiver returns a dict for the template, and the hook returns them merged. Connected to "
    "rights.person_page.person_page_context (who viewed them, subject access, retention and "
    "legal holds).",
    many=True,
)
questionnaire_return_reference = Hook(
    "questionnaire_return_reference",
    "A returned equalities questionnaire as the source of a reasonable adjustment, called with "
    "(user=..., person=..., pk=...): the reference of the letter it came back with (LET-00034) "
    "when the return is about that person and the user may open the letter, else None. "
    "Connected to correspondence.adjustment_sources.questionnaire_return_reference.",
)
HOOKS = (
    panel_work_waiting,
    entry_letters_cancel,
    repeat_behaviour_confirmed,
    entry_page_context,
    person_page_context,
    questionnaire_return_reference,
)
