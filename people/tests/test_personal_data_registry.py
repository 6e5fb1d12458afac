"""The personal-data registry cannot go stale: every field of every model of the project is
declared by its app (what it is, which download section carries it, what erasure does), and the
table in docs/privacy.md is the one generated from the declarations."""

from pathlib import Path

from django.apps import apps

from people import personal_data

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
BEGIN, END = "<!-- personal-data table: begin -->", "<!-- personal-data table: end -->"


def test_every_model_and_field_of_the_project_is_declared():
    assert personal_data.undeclared() == []


def test_an_undeclared_field_fails_the_check(monkeypatch):
    declaration = personal_data._declarations["pairing.CheckIn"]
    fields = dict(declaration.fields)
    fields.pop("wellbeing")
    monkeypatch.setitem(
        personal_data._declarations,
        "pairing.CheckIn",
        personal_data.Declaration(
            model=declaration.model,
            fields=fields,
            on_erase=declaration.on_erase,
            exported_in=declaration.exported_in,
        ),
    )
    assert personal_data.undeclared() == ["pairing.CheckIn.wellbeing: field not declared"]


def test_an_undeclared_model_fails_the_check(monkeypatch):
    monkeypatch.delitem(personal_data._declarations, "community.ContactMessage")
    assert "community.ContactMessage: model not declared" in personal_data.undeclared()


def test_every_section_named_by_a_declaration_is_registered():
    registered = {s.name for s in personal_data.sections()} | {
        "account",
        "profile",
        "skills",
        "audit_events",
        "emails_sent_to_you",
        "email_preferences",
    }
    for d in personal_data.declarations():
        if not d.exported_in or d.exported_in.startswith("("):
            continue
        for part in d.exported_in.split(","):
            section = part.strip().split(" ")[0].split(".")[0]
            assert section in registered, f"{d.model} names an unknown section {section!r}"


def test_the_privacy_doc_carries_the_generated_table():
    text = DOC.read_text()
    table = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == personal_data.markdown_table().strip(), (
        "docs/privacy.md is out of date: run `python manage.py personal_data_table` and paste"
    )


def test_the_project_apps_are_the_ones_the_registry_walks():
    project = {c.label for c in apps.get_app_configs() if Path(c.path).parent == DOC.parents[1]} - {
        "mentorship",
        "lib",
    }
    assert project <= set(personal_data.PROJECT_APPS)
