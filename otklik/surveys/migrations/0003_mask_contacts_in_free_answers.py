"""Free-text survey answers kept before masking began get the same masking of contacts now."""

from django.db import migrations


def mask_existing(apps, schema_editor):
    from otklik.nlp.pii import mask_personal_data

    Answer = apps.get_model("surveys", "Answer")
    changed = []
    for row in Answer.objects.exclude(text="").only("pk", "text").iterator(chunk_size=2000):
        masked = mask_personal_data(row.text)
        if masked != row.text:
            row.text = masked
            changed.append(row)
        if len(changed) >= 500:
            Answer.objects.bulk_update(changed, ["text"])
            changed = []
    Answer.objects.bulk_update(changed, ["text"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_results_public")]
    operations = [migrations.RunPython(mask_existing, migrations.RunPython.noop)]
