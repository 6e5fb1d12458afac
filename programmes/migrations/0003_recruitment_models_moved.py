"""Project, BusinessPriority and TalentPoolEntry moved to the recruitment app.

State only: their tables stay where they are, now owned by recruitment (its 0001 migration,
which says the same from the other side). Nothing runs on the database.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_enrolment_applied_at_enrolment_availability_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Project"),
                migrations.DeleteModel(name="TalentPoolEntry"),
                migrations.DeleteModel(name="BusinessPriority"),
            ],
        ),
    ]
