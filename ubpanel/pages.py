"""The one way a form page ends: valid form → service → refusal beside the field → 400.

form = SomethingForm(request.POST or None)
done = submit(request, form, lambda data: services.thing_do(actor=request.user, **data))
if done:
    messages.success(request, "…")
    return redirect(done.value)
return form_page(request, "app/thing.html", {"form": form}, form)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from .errors import DomainError, error_messages

REFUSALS = (DomainError, ValidationError)


@dataclass(frozen=True)
class Submitted:
    """What ``submit`` did: ``ok`` when the service ran, with what it returned in ``value``."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


NOT_DONE = Submitted(False)


def add_refusal(form: forms.BaseForm, error: Exception, *, field: str | None = None) -> None:
    """A refused action's messages beside the fields they name; when they name none, beside
    ``field`` (the field the page asks about), else at the top."""
    for named, problems in error_messages(error).items():
        target = named if named in form.fields else field
        form.add_error(target if target in form.fields else None, problems)


def submit(
    request, form: forms.BaseForm, action: Callable[[dict], Any], *, field: str | None = None
) -> Submitted:
    """On a POST with a valid form, run ``action(form.cleaned_data)``; a domain error or a
    ValidationError goes onto the form (beside ``field`` when it names no field of its own) and
    nothing is done."""
    if request.method != "POST" or not form.is_valid():
        return NOT_DONE
    try:
        return Submitted(True, action(form.cleaned_data))
    except REFUSALS as error:
        add_refusal(form, error, field=field)
        return NOT_DONE


def form_page(request, template: str, context: dict, *forms_shown: forms.BaseForm | None):
    """Render the page: 400 when any of the forms shown has errors, so a refusal is never a 200."""
    failed = any(form is not None and form.is_bound and form.errors for form in forms_shown)
    return render(request, template, context, status=400 if failed else 200)
