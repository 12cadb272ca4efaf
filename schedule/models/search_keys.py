"""What search before contact looks in."""

from django.db import models

from referrals.models import Person


class SearchKeyKind(models.TextChoices):
    NAME = "name", "Name"
    ALIAS = "alias", "Alias"
    ADDRESS = "address", "Address"
    POSTCODE = "postcode", "Postcode"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone number"


class SearchKey(models.Model):
    """What search before contact looks in: the names, aliases, addresses, postcodes, emails and
    phone numbers of the people with a live entry, in their ``normalise`` forms (addresses as
    written).

    A few percent of everyone the council knows is on the schedule, so this table is small and its
    trigram indexes answer in a millisecond (``schedule.search``). On PostgreSQL it is kept by
    triggers (migration 0004): any write to an entry, a person or their details, by a service, the
    admin, a bulk load or a factory, leaves it exact in the same transaction, so a live entry can
    never be missing from search. It is an index, not a record: ``manage.py
    search_index_rebuild`` rebuilds it. SQLite (the demo) has no triggers here: it leaves the
    table empty and searches the people tables directly.
    """

    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=SearchKeyKind.choices)
    value = models.TextField()
    # An alias as written, for the reason shown ("Name similar to alias ‘Zed Jones’").
    written = models.TextField(blank=True)

    class Meta:
        indexes = [
            # Postcodes, emails and phone numbers are looked up exactly; the trigram indexes on
            # names and addresses are created in SQL (PostgreSQL only), like referrals' 0002.
            models.Index(
                fields=["kind", "value"],
                condition=models.Q(kind__in=["postcode", "email", "phone"]),
                name="schedule_searchkey_exact",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"
