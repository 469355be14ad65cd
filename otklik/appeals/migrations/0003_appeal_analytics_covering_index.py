"""A covering index for the analytics dashboard (PostgreSQL only).

Every dashboard figure reads the appeals of one region in a registration period and only the
columns below: with them INCLUDEd the database answers from the index alone (an index-only scan,
a third of the table's size) instead of reading the whole table. SQLite has no INCLUDE and small
installations do not need it, so nothing is done there; the model state does not know the index,
which is why it is not in `Appeal.Meta.indexes` (Django would warn about INCLUDE on SQLite).
"""

from django.db import migrations

NAME = "appeal_analytics_cover"
COLUMNS = (
    "channel, topic_id, territory_id, organization_id, status, due_at, answered_at, rating, "
    "escalation_level, routed_automatically, policy_id"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON appeals_appeal (region_id, registered_at) INCLUDE ({COLUMNS})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_appeal_topics_and_policy")]

    operations = [migrations.RunPython(create, drop)]
