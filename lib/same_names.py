"""One migration step shared by the apps whose names became unique whatever their case
(programmes 0007, feedback 0007, recruitment 0005; docs/architecture.md, "Names people pick from
a list")."""

from __future__ import annotations


def tell_apart_same_names(app_label: str, model_name: str):
    """A ``RunPython`` function: names the same but for their letters' case, in one programme,
    would stop the new constraint, so the second and later (by id) get " (2)", " (3)"...:
    nothing lost, and a coordinator can rename them. Nothing changes where no two names clash.
    Reads the model as the migration's state has it (``apps``), never the current one."""

    def run(apps, schema_editor) -> None:
        Model = apps.get_model(app_label, model_name)
        max_length = Model._meta.get_field("name").max_length
        taken: dict[int, set[str]] = {}
        for obj in Model.objects.order_by("pk").only("pk", "programme_id", "name"):
            names = taken.setdefault(obj.programme_id, set())
            name, n = obj.name, 1
            while name.lower() in names:
                n += 1
                suffix = f" ({n})"
                name = obj.name[: max_length - len(suffix)] + suffix
            names.add(name.lower())
            if name != obj.name:
                Model.objects.filter(pk=obj.pk).update(name=name)

    return run
