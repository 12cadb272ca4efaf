"""System checks that make a production deployment fail safe (``manage.py check --deploy``).

docker-compose's ``migrate`` service runs ``check --deploy --fail-level WARNING`` before migrating,
so a deployment that fails one of these never starts.
"""

from django.conf import settings
from django.core import checks

# Email backends that keep emails on this machine (printed to the log, held in memory, dropped or
# written to files): in production every letter emailed, with names and addresses, would end up in
# the worker's log or on its disk, and nobody would receive it.
UNSAFE_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every email to the log",
    "django.core.mail.backends.locmem.EmailBackend": "keeps emails in memory and sends none",
    "django.core.mail.backends.dummy.EmailBackend": "drops every email",
    "django.core.mail.backends.filebased.EmailBackend": "writes every email to a file",
}


@checks.register(checks.Tags.security, deploy=True)
def email_backend_sends_email(app_configs, **kwargs):
    """Production sends email through a mail server (EMAIL_URL=smtp+tls://...)."""
    if settings.DJANGO_ENV != "production":
        return []
    what = UNSAFE_EMAIL_BACKENDS.get(settings.EMAIL_BACKEND)
    if what is None:
        return []
    return [
        checks.Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}, which {what}: letters and notifications "
            "carry names and addresses.",
            hint="Set EMAIL_URL to the council's mail server, e.g. "
            "smtp+tls://user:password@smtp.council.example:587.",
            id="ubpanel.E001",
        )
    ]
