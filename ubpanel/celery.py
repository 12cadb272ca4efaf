"""The Celery app. Without CELERY_BROKER_URL (the embedded demo) tasks run in-process.

Whoever queues a task is the actor of everything it audits (``ubpanel/task_actor.py``, connected
by ``UbpanelConfig.ready()``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ubpanel.settings")

app = Celery("ubpanel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
