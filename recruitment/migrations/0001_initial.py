"""Recruitment's models were programmes' until now: move them without touching a row.

The tables keep their names (``db_table``), so this migration only tells Django's migration state
that the models belong here now (``SeparateDatabaseAndState``: nothing runs on the database
except renaming the content types, so permissions given on them and admin history follow).
programmes' 0003 removes them from programmes' state, equally without touching the database.
A fresh database gets the tables from programmes' 0002, as before.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("businesspriority", "project", "talentpoolentry")


def content_types_follow(apps, schema_editor, old="programmes", new="recruitment"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def content_types_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, old="recruitment", new="programmes")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0002_auditevent"),
        ("programmes", "0002_enrolment_applied_at_enrolment_availability_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="BusinessPriority",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100)),
                        ("programme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="business_priorities", to="programmes.programme")),
                    ],
                    options={
                        "verbose_name_plural": "business priorities",
                        "db_table": "programmes_businesspriority",
                        "ordering": ["name"],
                        "constraints": [models.UniqueConstraint(fields=("programme", "name"), name="priority_unique_name")],
                    },
                ),
                migrations.CreateModel(
                    name="Project",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=150)),
                        ("description", models.TextField(max_length=5000)),
                        ("expected_benefit", models.TextField(blank=True, max_length=2000)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("enrolment", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="project", to="programmes.enrolment")),
                        ("priorities", models.ManyToManyField(blank=True, related_name="projects", to="recruitment.businesspriority")),
                        ("topics", models.ManyToManyField(blank=True, help_text="Skills the project needs.", related_name="+", to="people.skill")),
                    ],
                    options={
                        "db_table": "programmes_project",
                        "ordering": ["title"],
                    },
                ),
                migrations.CreateModel(
                    name="TalentPoolEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("email", models.EmailField(max_length=254)),
                        ("full_name", models.CharField(blank=True, max_length=150)),
                        ("organisation", models.CharField(blank=True, max_length=120)),
                        ("role", models.CharField(choices=[("mentor", "Mentor"), ("mentee", "Mentee"), ("either", "Either")], default="either", max_length=6)),
                        ("source", models.CharField(choices=[("interest", "Registered interest"), ("added", "Added by a coordinator"), ("alumni", "Took part before")], max_length=8)),
                        ("note", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("added_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("programme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="talent_pool", to="programmes.programme")),
                        ("user", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name_plural": "talent pool entries",
                        "db_table": "programmes_talentpoolentry",
                        "ordering": ["-created_at"],
                        "constraints": [models.UniqueConstraint(fields=("programme", "email"), name="talentpool_unique_email")],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
