"""What the per-object permission tables of entries and address warnings share."""

from django.db import models

from ubpanel.audit_people import people_data, through


class GrantedPermission(models.Model):
    """What the direct-FK per-object permission tables share: the need-to-know grant that made a
    row (``schedule.SingleAccessGrant``; none for one made by hand), and the audit naming the
    people of the record it opens."""

    grant = models.ForeignKey(
        "schedule.SingleAccessGrant", null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        abstract = True

    def audit_person_ids(self) -> list[int]:
        return through(self, "content_object")

    def get_additional_data(self):
        return people_data(self)
