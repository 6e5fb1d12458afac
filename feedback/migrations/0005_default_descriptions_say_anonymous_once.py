"""The default anonymous surveys' descriptions said "Anonymous: your answers are not linked to
you…", and the email and answer page then said it again. Replace them where they are unchanged
(a coordinator's own wording is left alone)."""

from django.db import migrations

# Written out here: a migration does not follow later edits of feedback/defaults.py.
OLD = {
    "mid-point": "Half way through: what is working and what would help. Anonymous: your answers "
    "are not linked to you, and results are shown only for groups of three or more.",
    "end-of-programme": "Looking back on the programme. Anonymous: your answers are not linked "
    "to you, and results are shown only for groups of three or more.",
}
NEW = {
    "mid-point": "Half way through: what is working and what would help.",
    "end-of-programme": "Looking back on the programme.",
}


def forwards(apps, schema_editor):
    SurveyTemplate = apps.get_model("feedback", "SurveyTemplate")
    for key, old in OLD.items():
        SurveyTemplate.objects.filter(key=key, description=old).update(description=NEW[key])


def backwards(apps, schema_editor):
    SurveyTemplate = apps.get_model("feedback", "SurveyTemplate")
    for key, new in NEW.items():
        SurveyTemplate.objects.filter(key=key, description=new).update(description=OLD[key])


class Migration(migrations.Migration):
    dependencies = [("feedback", "0004_schedule_days_bounded")]

    operations = [migrations.RunPython(forwards, backwards)]
