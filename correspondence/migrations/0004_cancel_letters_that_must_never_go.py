"""Letters drafted or approved before issue 10 about an entry since removed, or after a decision
that sends nothing, are cancelled: removal is never communicated to the individual."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

NO_LETTER_OUTCOMES = ("remove", "not_ratify", "keep", "grant", "refuse")
REASON = (
    "Cancelled when the letters were checked against the protocol: removal from the schedule is "
    "never communicated to the individual, and no letter goes after this decision."
)


def cancel(apps, schema_editor):
    Letter = apps.get_model("correspondence", "Letter")
    Letter.objects.filter(status__in=("draft", "approved")).filter(
        Q(entry__status="removed") | Q(decision__outcome__in=NO_LETTER_OUTCOMES)
    ).update(status="cancelled", cancelled_at=timezone.now(), cancelled_reason=REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0003_letters_cancelled_ombudsman_divert_every_incident"),
        ("panel", "0001_initial"),
        ("schedule", "0001_initial"),
    ]

    operations = [migrations.RunPython(cancel, migrations.RunPython.noop)]
