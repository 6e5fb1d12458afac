from django.db import migrations, models


def backfill(apps, schema_editor):
    """The summaries of the check-ins already logged, written as pairing.services writes
    them, with this migration's historical models. The latest migration that changes the
    summary's fields does this; the earlier ones' backfills do nothing."""
    from pairing.engagement import summaries_rebuild

    CheckIn = apps.get_model("pairing", "CheckIn")
    CheckInSummary = apps.get_model("pairing", "CheckInSummary")
    met = CheckIn.objects.order_by().values_list("pair_id", flat=True).distinct()
    summaries_rebuild(list(met), models=(CheckIn, CheckInSummary))


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0007_checkin_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkinsummary",
            name="wellbeing_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
