"""Mark the coordinators' choices of organization recorded before `routed` events said so.

Until now a `routed` event said only `automatic`; not automatic was either a coordinator's
assignment (later than registration) or a staff-confirmed topic routed by the rules at intake
(at the moment of registration). The routing history learns from the first kind only.
"""

from django.db import migrations
from django.db.models import F


def mark(apps, schema_editor):
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    legacy = AppealEvent.objects.filter(kind="routed", data__automatic=False).exclude(data__has_key="by_hand")
    for event in legacy.annotate(registered_at=F("appeal__registered_at")).iterator(chunk_size=2000):
        event.data["by_hand"] = event.actor_id is not None and event.at > event.registered_at
        event.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("appeals", "0005_appeal_outcome")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
