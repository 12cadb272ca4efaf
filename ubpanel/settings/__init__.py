"""Settings for ubpanel, read from the environment (see .env.example and the README).

``base`` holds the shape of the site (DJANGO_ENV, data, security, audit, email, static files, logs);
``sign_in`` who may sign in and how; ``worker`` Celery and beat; ``rights`` retention, subject
access and removal. Each reads its own environment
variables; they are one settings module to Django.
"""

from .base import *  # noqa: F403
from .rights import *  # noqa: F403
from .sign_in import *  # noqa: F403
from .worker import *  # noqa: F403
