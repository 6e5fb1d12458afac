"""Moving the models from programmes to recruitment keeps every row (migrations 0003 / 0001)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("programmes", "0002_enrolment_applied_at_enrolment_availability_and_more"),
    ("recruitment", None),
]
AFTER = [("programmes", "0003_recruitment_models_moved"), ("recruitment", "0001_initial")]


def migrate(targets):
    """Migrate the test database to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_recruitments_after_it():
    old = migrate(BEFORE)
    User = old.get_model("people", "User")
    Skill = old.get_model("people", "Skill")
    Programme = old.get_model("programmes", "Programme")
    Cohort = old.get_model("programmes", "Cohort")
    Enrolment = old.get_model("programmes", "Enrolment")
    user = User.objects.create(email="ada@example.gov.uk")
    programme = Programme.objects.create(name="P", slug="p", organisation="ONS")
    cohort = Cohort.objects.create(
        programme=programme, name="C", starts_on="2027-01-11", ends_on="2027-04-02"
    )
    enrolment = Enrolment.objects.create(user=user, cohort=cohort, role="mentee")
    priority = old.get_model("programmes", "BusinessPriority").objects.create(
        programme=programme, name="Data"
    )
    project = old.get_model("programmes", "Project").objects.create(
        enrolment=enrolment, title="Forecasting VAT", description="ARIMA"
    )
    project.priorities.add(priority)
    project.topics.add(Skill.objects.create(name="Forecasting"))
    old.get_model("programmes", "TalentPoolEntry").objects.create(
        programme=programme, email="bob@example.gov.uk", source="interest"
    )

    new = migrate(AFTER)
    moved = new.get_model("recruitment", "Project").objects.get()
    assert moved.title == "Forecasting VAT" and moved.enrolment_id == enrolment.pk
    assert [p.name for p in moved.priorities.all()] == ["Data"]
    assert [s.name for s in moved.topics.all()] == ["Forecasting"]
    entry = new.get_model("recruitment", "TalentPoolEntry").objects.get()
    assert entry.email == "bob@example.gov.uk"
