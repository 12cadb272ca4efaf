"""The audit trail never names a person's need. An adjustment's own name ("Dyslexia or difficulty
reading (12)") would be the trail's description of the record, read by auditors who may not see
special-category data; its rows are described by the record's kind and id instead. Audit
plumbing, so a signal (the masked fields are in ``referrals.apps``)."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Adjustment


def adjustment_repr(pk) -> str:
    return f"Reasonable adjustment {pk}"


@receiver(pre_save, sender=LogEntry, dispatch_uid="referrals.adjustment_audit.repr")
def _no_need_in_the_trail(sender, instance: LogEntry, **kwargs) -> None:
    if instance.pk is None and instance.content_type_id == _adjustment_type_id():
        instance.object_repr = adjustment_repr(instance.object_pk)


def _adjustment_type_id() -> int:
    return ContentType.objects.get_for_model(Adjustment).pk
