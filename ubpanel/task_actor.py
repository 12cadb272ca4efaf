"""Whoever queues a task is the actor of everything it audits: the user id travels in a message
header and the worker wraps the task in ``audit.acting_as`` for that user."""

from celery import signals
from django.contrib.auth import get_user_model

from .audit import acting_as, current_actor

ACTOR_HEADER = "ubpanel_actor_id"


@signals.before_task_publish.connect(dispatch_uid="ubpanel.celery.attach_actor")
def _attach_actor(headers=None, **kwargs):
    actor = current_actor()
    if headers is not None and actor is not None and ACTOR_HEADER not in headers:
        headers[ACTOR_HEADER] = actor.pk


@signals.task_prerun.connect(dispatch_uid="ubpanel.celery.enter_actor")
def _enter_actor(task=None, **kwargs):
    actor_id = getattr(task.request, ACTOR_HEADER, None) or (task.request.headers or {}).get(
        ACTOR_HEADER
    )
    if actor_id is None or task.request.is_eager:
        # Eager tasks run inside the caller's own audit context already.
        return
    actor = get_user_model().objects.filter(pk=actor_id).first()
    context = acting_as(actor)
    context.__enter__()
    task.request.ubpanel_actor_context = context


@signals.task_postrun.connect(dispatch_uid="ubpanel.celery.exit_actor")
def _exit_actor(task=None, **kwargs):
    context = getattr(task.request, "ubpanel_actor_context", None)
    if context is not None:
        context.__exit__(None, None, None)
        task.request.ubpanel_actor_context = None
