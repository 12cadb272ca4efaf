"""Names in other scripts get a search name (issue 15).

``referrals.normalise.name`` dropped every letter outside the Latin alphabet, so a person recorded
as ``Иван Петров`` had an empty search name and could be found neither at intake nor before
contact. It now transliterates them (``ivan petrov``); this rewrites the search names of the people
and aliases whose names are not plain ASCII, the only ones the change touches. On PostgreSQL the
search table's triggers (0005) follow the update. Here, not in referrals, because search before
contact is what needs it; the code's own normaliser is used so the stored form is the one the
services write.
"""

from django.db import migrations

from referrals import normalise


def forwards(apps, schema_editor):
    Person = apps.get_model("referrals", "Person")
    PersonAlias = apps.get_model("referrals", "PersonAlias")
    for model, fields, written in (
        (Person, ["given_names", "family_name"], lambda p: f"{p.given_names} {p.family_name}"),
        (PersonAlias, ["name"], lambda a: a.name),
    ):
        changed = []
        for row in model.objects.only("pk", "search_name", *fields).iterator():
            text = written(row)
            key = normalise.name(text)
            if not text.isascii() and key != row.search_name:
                row.search_name = key
                changed.append(row)
        model.objects.bulk_update(changed, ["search_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_trigram_search"),
        ("schedule", "0013_entry_removal_told_by"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
