from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ubpanel.demo import DEMO_PASSWORD, demo_data_load


class Command(BaseCommand):
    help = "Create (or reset) the demo logins and a few people. Refuses to run in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Demo logins have published passwords: never load them in production."
            )
        logins = demo_data_load()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for username, role in logins:
            self.stdout.write(f"  {username:<12} {role}")
