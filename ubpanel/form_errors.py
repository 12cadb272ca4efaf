"""Error messages that name their field, in GOV.UK words, for every ``GovukForm``.

Django's "This field is required." says nothing in an error summary where several fields fail
at once; here a required field that sets no message of its own says what to do with it: "Enter
the reason" for something typed, "Select the risk tier" for a choice, "Choose the file" for an
upload. A question label reads as a statement once ("What do you need to know?" gives "Enter what
you need to know"). Django's "---------" empty choice becomes "Choose …" (a list) or "None" (a
radio button). The error summary lists each message once, linking to its field.
"""

import re

from django import forms
from django.forms.models import ModelChoiceField
from django.forms.utils import pretty_name
from django.utils.choices import CallableChoiceIterator

DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])
DJANGO_EMPTY = "---------"

_QUESTION = re.compile(
    r"^(?P<wh>(?:what|why|which|who|when|where|how)(?: \w+)?) (?P<verb>do|are) you (?P<rest>.+)\?$",
    re.IGNORECASE,
)


def _lower_first(text: str) -> str:
    """Lower-case the first letter ("The reason" gives "the reason"), not an acronym's or "I"."""
    if not text or text[:2] == "I " or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


def label_as_object(label: str) -> str:
    """What an instruction acts on: "Reason" -> "the reason"-like text as written, lower-cased;
    "What do you need to know?" -> "what you need to know"; another question label is quoted
    ("your answer to ‘Why is the access needed?’")."""
    label = str(label).strip().rstrip(":")
    if not label.endswith("?"):
        return _lower_first(label)
    match = _QUESTION.match(label)
    if match:
        wh, verb, rest = match["wh"], match["verb"].lower(), match["rest"]
        said = f"you {rest}" if verb == "do" else f"you are {rest}"
        return f"{_lower_first(wh)} {said}"
    return f"your answer to ‘{label}’"


def _verb(field: forms.Field) -> str:
    if isinstance(field, forms.FileField):
        return "Choose"
    if isinstance(field, forms.ChoiceField | ModelChoiceField | forms.BooleanField):
        return "Select"
    return "Enter"


def required_message(field: forms.Field, name: str) -> str:
    """The message a required field gives when left empty: "Enter the reason"."""
    given = getattr(field, "error_name", None)
    label = str(given) if given else str(field.label or pretty_name(name))
    return f"{_verb(field)} {label_as_object(label)}"


def empty_choice_label(field: forms.Field, name: str) -> str:
    if isinstance(field.widget, forms.RadioSelect):
        return "None"
    label = str(field.label or name).strip().rstrip(":")
    return "Choose an answer" if label.endswith("?") else f"Choose {_lower_first(label)}"


def name_errors(form: forms.BaseForm) -> None:
    """Give each required field that kept Django's message one naming it, and each empty
    choice a label in words (idempotent: a message set here follows a label changed later)."""
    named = form.__dict__.setdefault("_named_required", {})
    for name, field in form.fields.items():
        current = str(field.error_messages.get("required", ""))
        if current == DJANGO_REQUIRED or (name in named and current == named[name]):
            named[name] = required_message(field, name)
            field.error_messages["required"] = named[name]
        _replace_empty_choice(field, name)


def _replace_empty_choice(field: forms.Field, name: str) -> None:
    if isinstance(field, ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY:
            field.empty_label = empty_choice_label(field, name)
            field.widget.choices = field.choices
        return
    if not isinstance(field, forms.ChoiceField) or isinstance(
        getattr(field, "_choices", None), CallableChoiceIterator
    ):
        return
    choices = list(field.choices)
    if any(label == DJANGO_EMPTY for _, label in choices):
        field.choices = [
            (value, empty_choice_label(field, name) if label == DJANGO_EMPTY else label)
            for value, label in choices
        ]


def summary_errors(form) -> list[tuple[str, str]]:
    """The error summary's entries, (anchor, message): the form's own errors (linked to its first
    field), then each field's, in the page's order; the same message for the same field once, and
    a message of the form's own that a field also gives once, linked to that field."""
    if not form or not getattr(form, "errors", None):
        return []
    visible = list(form.visible_fields())
    fields: list[tuple[str, str]] = []
    for bound in visible:
        for error in bound.errors:
            fields.append((bound.id_for_label or bound.auto_id, str(error)))
    first = visible[0].id_for_label if visible else ""
    said_by_a_field = {message for _, message in fields}
    entries = [
        (first, str(error))
        for error in form.non_field_errors()
        if str(error) not in said_by_a_field
    ] + fields
    seen: set[tuple[str, str]] = set()
    return [e for e in entries if not (e in seen or seen.add(e))]
