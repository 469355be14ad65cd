"""The database cache's table (`settings.CACHES`: login throttling and rate limits count in it).

`make migrate` also runs `otklik createcachetable`, but an installation set up or upgraded with a
plain `otklik migrate` would have had no table, and every login would fail on it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
