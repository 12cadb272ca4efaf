"""The rights app's Celery tasks, one module per capability (Celery finds this package)."""

from . import exports, retention

__all__ = ["exports", "retention"]
