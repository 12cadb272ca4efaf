"""Logs for production: one JSON object a line, each carrying the request id, and nothing personal.

Everything in ubpanel is personal data, so the logs hold only what an operator needs to follow a
request: the URL's name (never its path or query: a search for "John Smith" is a query string),
the method, the status, the time taken and the request id that the response also carries
(``X-Request-ID``). ``PersonalDataFilter`` strips what other libraries put in (query strings in
request lines, email addresses, the request object itself) and ``JsonFormatter`` writes only the
fields it lists, so an ``extra={...}`` from a library can never carry a letter or a name out.

``LOG_FORMAT=text`` (the default outside production) writes the same records as plain lines.
"""

from __future__ import annotations

import contextvars
import logging
import re
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

# The id of the request being handled in this thread (or task): "-" outside a request.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# The extra fields a record may carry into the JSON line; anything else a library adds is dropped.
SAFE_EXTRAS = ("url_name", "method", "status_code", "duration_ms", "setting", "check")

_QUERY_STRING = re.compile(r"\?[^\s\"']*")
# Bounded like an address (64 before the @, 255 after): an unbounded pattern takes quadratic time on
# a long line with no "@" (a 100,000-character URL took 88 s).
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


def scrub(text: str) -> str:
    """``text`` without query strings or email addresses."""
    return _EMAIL.sub("[email]", _QUERY_STRING.sub("?[query]", text))


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``%(request_id)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class PersonalDataFilter(logging.Filter):
    """Keeps personal data out of every record a handler writes.

    Django's ``django.request`` and ``django.server`` records carry the request (whose repr has the
    query string) and the request line; both are reduced to what is safe before formatting.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("request", None)
        record.msg = scrub(str(record.msg)) if isinstance(record.msg, str) else record.msg
        if record.args:
            if isinstance(record.args, dict):
                record.args = {k: _scrub_arg(v) for k, v in record.args.items()}
            else:
                record.args = tuple(_scrub_arg(arg) for arg in record.args)
        return True


def _scrub_arg(value):
    return scrub(value) if isinstance(value, str) else value


class DisallowedHostFilter(logging.Filter):
    """A request with a Host header not in ALLOWED_HOSTS is a scanner or a misconfigured proxy, not a
    fault of ours: one line at WARNING, no traceback. Django still answers it 400."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = "WARNING"
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object a line: time, level, logger, message, request id, the fields in
    ``SAFE_EXTRAS`` and any traceback; nothing else from the record."""

    def __init__(self, *args, **kwargs):
        super().__init__("%(message)s", *args, **kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat()
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        log_data["request_id"] = getattr(record, "request_id", request_id_var.get())
        for key in SAFE_EXTRAS:
            if key in record.__dict__:
                log_data[key] = record.__dict__[key]
        # A traceback, but never the fields of a message logged as a dict.
        for key in ("exc_info", "stack_info"):
            if message_dict.get(key):
                log_data[key] = message_dict[key]


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: one console handler, in ``log_format`` (json or text), through the
    request-id and personal-data filters."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "personal_data": {"()": PersonalDataFilter},
            "disallowed_host": {"()": DisallowedHostFilter},
        },
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "personal_data"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # runserver's request lines carry query strings: through our filter, not its handler.
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # A Host header not in ALLOWED_HOSTS: one WARNING line, no traceback (answered 400).
            "django.security.DisallowedHost": {"filters": ["disallowed_host"]},
            # Sign-ins are in the audit trail; axes' own INFO lines only repeat them.
            "axes": {"level": "WARNING"},
            # WeasyPrint logs every step of every PDF at INFO; its warnings (a refused URL) show.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
