"""Rebuild the search table of search before contact (see schedule.search_index)."""

from django.core.management.base import BaseCommand

from schedule.search_index import search_keys_maintained, search_keys_rebuild


class Command(BaseCommand):
    help = "Rebuild schedule.SearchKey, what search before contact looks in (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        if not search_keys_maintained(database):
            self.stdout.write("Nothing to do: on this database search reads the people tables.")
            return
        written = search_keys_rebuild(database)
        self.stdout.write(self.style.SUCCESS(f"Search table rebuilt: {written:,} keys."))
