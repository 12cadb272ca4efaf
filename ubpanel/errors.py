"""One kind of error for "the protocol does not allow that now", and one way to turn it into text.

Services raise a ``DomainError`` (each app has its own subclass) with a message a person can act on:
what is wrong and, where it helps, what to do instead. Django's ``ValidationError`` stays the error
for a bad field value. Views never format either themselves: ``error_messages`` does it.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class DomainError(Exception):
    """The protocol does not allow that now. ``message`` is shown to the person as it stands;
    ``field`` names the form field it is about, when it is about one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def error_messages(error: Exception) -> dict[str | None, list[str]]:
    """What to show for a refused action, by form field (``None``: about the whole form)."""
    if isinstance(error, DomainError):
        return {error.field: [error.message]}
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return {
                (None if field == NON_FIELD_ERRORS else field): list(problems)
                for field, problems in error.message_dict.items()
            }
        return {None: list(error.messages)}
    raise TypeError(f"Not a refusal: {error!r}")


def error_text(error: Exception) -> str:
    """The same, as one sentence for a message banner."""
    return " ".join(text for problems in error_messages(error).values() for text in problems)
