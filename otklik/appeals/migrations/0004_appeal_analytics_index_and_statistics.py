"""A covering index and grouping statistics for the analytics dashboard (PostgreSQL only).

Every dashboard figure reads the appeals of one region in a registration period and only the
columns below: with them INCLUDEd the database answers from the index alone (an index-only scan,
a third of the table's size) instead of reading the whole table. SQLite has no INCLUDE and small
installations do not need it, so nothing is done there; the model state does not know the index,
which is why it is not in `Appeal.Meta.indexes` (Django would warn about INCLUDE on SQLite).

The dashboard groups by channel × topic × territory × organization at once. Without statistics on
how these columns go together the planner multiplies their distinct counts, expects hundreds of
thousands of groups where there are thousands, and sorts a million rows on disk instead of hashing
them; `CREATE STATISTICS … (ndistinct)` tells it the real number (filled by ANALYZE).
"""

from django.db import migrations

NAME = "appeal_analytics_cover"
STATISTICS = "appeal_analytics_groups"
COLUMNS = (
    "id, channel, topic_id, territory_id, organization_id, status, due_at, answered_at, rating, "
    "escalation_level, routed_automatically, policy_id"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON appeals_appeal (region_id, registered_at) INCLUDE ({COLUMNS})"
        )
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (ndistinct) "
            "ON channel, topic_id, territory_id, organization_id FROM appeals_appeal"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_appeal_moderation_due")]

    operations = [migrations.RunPython(create, drop)]
