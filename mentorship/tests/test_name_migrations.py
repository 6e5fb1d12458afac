"""Names unique whatever their case (programmes 0007, feedback 0007, recruitment 0005): a
database already holding "Autumn 2026" and "autumn 2026" in one programme migrates, the second
renamed "autumn 2026 (2)", nothing lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("programmes", "0006_alter_cohort_cohort_name_unique"),
    ("feedback", "0006_alter_surveytemplate_surveytemplate_unique_name"),
    ("recruitment", "0004_alter_businesspriority_priority_unique_name"),
]
AFTER = [
    ("programmes", "0007_cohort_name_unique_any_case"),
    ("feedback", "0007_survey_name_unique_any_case"),
    ("recruitment", "0005_priority_name_unique_any_case"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_names_differing_only_by_case_are_told_apart_by_the_migration():
    old = migrate(BEFORE)
    try:
        Programme = old.get_model("programmes", "Programme")
        first = Programme.objects.create(name="P", slug="p", organisation="ONS")
        other = Programme.objects.create(name="Q", slug="q", organisation="ONS")
        Cohort = old.get_model("programmes", "Cohort")
        dates = {"starts_on": "2027-01-11", "ends_on": "2027-04-02"}
        for programme, name in (
            (first, "Autumn 2026"),
            (first, "autumn 2026"),
            (first, "AUTUMN 2026"),
            (first, "Spring 2027"),
            (other, "autumn 2026"),  # another programme's: left alone
        ):
            Cohort.objects.create(programme=programme, name=name, **dates)
        Template = old.get_model("feedback", "SurveyTemplate")
        for name in ("Exit survey", "exit survey"):
            Template.objects.create(programme=first, name=name)
        Priority = old.get_model("recruitment", "BusinessPriority")
        for name in ("Net zero", "NET ZERO"):
            Priority.objects.create(programme=first, name=name)

        new = migrate(AFTER)
        cohorts = new.get_model("programmes", "Cohort").objects.order_by("pk")
        assert [c.name for c in cohorts] == [
            "Autumn 2026",
            "autumn 2026 (2)",
            "AUTUMN 2026 (3)",
            "Spring 2027",
            "autumn 2026",
        ]
        templates = new.get_model("feedback", "SurveyTemplate").objects.order_by("pk")
        assert [t.name for t in templates] == ["Exit survey", "exit survey (2)"]
        priorities = new.get_model("recruitment", "BusinessPriority").objects.order_by("pk")
        assert [p.name for p in priorities] == ["Net zero", "NET ZERO (2)"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
