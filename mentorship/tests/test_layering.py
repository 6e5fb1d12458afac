"""Imports point down only: no floor reaches up to a higher one.

The floors are read from the table in docs/architecture.md (the doc is the source of truth; a new
top-level package that is not in it fails here). Every project ``.py`` file and template is
walked, and each reference it makes to another app is checked:

- Python imports, at module level or inside functions, and module names given as strings to
  ``include()``, ``import_module()`` and ``import_string()``; ``apps.get_model("label", ...)``;
- ``{% load lib %}`` in a template (a tag library belongs to the app whose ``templatetags/``
  defines it);
- URL names: ``{% url 'ns:name' %}`` in templates and ``reverse("ns:name")`` (``reverse_lazy``,
  ``redirect``, ``resolve_url``, ``absolute_reverse``, ``pattern_name=``) in Python; a namespace
  belongs to the app whose ``urls*.py`` declares it (bare names such as ``home``, ``landing`` and
  allauth's ``account_login`` are the site's entry points, which any page may link to);
- reverse accessors: the ``related_name`` (or default ``<model>_set``) of a ForeignKey,
  OneToOneField or ManyToManyField defined in a higher app, used as an attribute, an ORM lookup
  (``filter(pairs__status=...)``, ``Count("pairs")``) or in a template variable from a lower app
  (``user.coordinated_programmes`` in people).

A reference from app A to app B is allowed when B is on a lower floor than A (or A is B); two
apps on the same floor may not reference each other. Packages outside the floors (bench/,
browser_tests/, the root conftest) may reference anything, and no app may reference
them. A test belongs to the app it sits in; a test that spans apps belongs in mentorship/tests/.
Templates under ``templates/<app>/`` or ``<app>/templates/`` belong to that app; the shared
layouts (``base.html``, ``emails/``, ``allauth/``, ...) belong to the roof.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SKIP_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "var",
    "staticfiles",
    "static",
    "docs",
    "__pycache__",
    ".ci",
}
TEMPLATE_SUFFIXES = {".html", ".txt", ".ics", ".xml"}

# Today's known upward references, each (file, higher app it reaches) with why it is still there.
# The list can only shrink: an entry that no longer matches a reference fails the test.
# Known upward references, each with why it is still there. Empty: keep it so.
ALLOWLIST: dict[tuple[str, str], str] = {}


# -- The floors, from docs/architecture.md ----------------------------------------------------


OUTSIDE = -1  # bench/ (load test included), browser_tests/, root conftest: may reference anything


def read_floors(text: str) -> dict[str, int]:
    """``{package: floor}`` from the first table under the "## Floors" heading.

    A row's first cell is the floor number (``0``, ``8 (roof)``) or ``outside``; its second cell
    lists the packages in backticks (``lib``, ``pairing``, ``conftest.py``).
    """
    floors: dict[str, int] = {}
    lines = text.split("\n## Floors", 1)[1].splitlines()[1:]
    in_table = False
    for line in lines:
        if not line.startswith("|"):
            if in_table:
                break
            continue
        in_table = True
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        head = cells[0].lower()
        if head.startswith("outside"):
            level = OUTSIDE
        elif m := re.match(r"\d+", head):
            level = int(m.group())
        else:
            continue  # the header row
        for name in re.findall(r"`([^`]+)`", cells[1]):
            floors[name.removesuffix(".py").strip("/")] = level
    return floors


# -- What every app defines: tag libraries, URL names, reverse accessors ----------------------


@dataclass
class Index:
    floors: dict[str, int]
    tag_libraries: dict[str, str] = field(default_factory=dict)  # library -> app
    namespaces: dict[str, str] = field(default_factory=dict)  # URL namespace -> app
    accessors: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    model_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def app_of_module(self, module: str) -> str | None:
        top = module.split(".")[0]
        return top if top in self.floors else None


FIELD_TYPES = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _call_name(node: ast.AST) -> str:
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _index_models(index: Index, app: str, tree: ast.Module) -> None:
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        index.model_names[app].add(t.id)
                value = stmt.value
                if isinstance(value, ast.Call) and _call_name(value) in FIELD_TYPES:
                    kwargs = {k.arg: k.value for k in value.keywords}
                    related = _const_str(kwargs.get("related_name"))
                    if related is None and "related_name" not in kwargs:
                        related = f"{cls.name.lower()}_set"
                    if related and not related.endswith("+") and "%(" not in related:
                        index.accessors[related].add(app)
            elif isinstance(stmt, ast.FunctionDef):
                index.model_names[app].add(stmt.name)


def build_index(root: Path, floors: dict[str, int]) -> Index:
    index = Index(floors=floors)
    for app, level in floors.items():
        package = root / app
        if level == OUTSIDE or not package.is_dir():
            continue
        for lib in (package / "templatetags").glob("*.py"):
            if lib.stem != "__init__":
                index.tag_libraries[lib.stem] = app
        for urls in package.glob("urls*.py"):
            for node in ast.walk(ast.parse(urls.read_text())):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "app_name" for t in node.targets
                ):
                    index.namespaces[_const_str(node.value)] = app
        for models in [package / "models.py", *(package / "models").glob("*.py")]:
            if models.is_file():
                _index_models(index, app, ast.parse(models.read_text()))
    return index


# -- References made by one file ----------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    target: str  # the app referred to
    kind: str  # import, load, url, accessor
    detail: str
    line: int


URL_FUNCTIONS = {"reverse", "reverse_lazy", "redirect", "resolve_url", "absolute_reverse"}
MODULE_FUNCTIONS = {"include", "import_module", "import_string"}
LOOKUP_FUNCTIONS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q"}
LOOKUP_STRING_FUNCTIONS = {
    "Count",
    "Sum",
    "Avg",
    "Min",
    "Max",
    "F",
    "OuterRef",
    "Prefetch",
    "prefetch_related",
    "select_related",
    "values",
    "values_list",
    "order_by",
    "only",
    "defer",
}


def _url_target(index: Index, name: str) -> str | None:
    if ":" in name:
        return index.namespaces.get(name.split(":", 1)[0])
    return None  # a bare name is a site-wide entry point (home, landing, account_login)


def _accessor_targets(
    index: Index, name: str, source_app: str | None, local_names: frozenset[str] = frozenset()
) -> set[str]:
    """The apps at or above the source's floor that define reverse accessor ``name``.

    Nothing when the name is ambiguous: the file itself assigns an attribute, parameter or field
    of that name, or the source app or a lower one defines the accessor or a model field or
    method of that name (then the attribute is probably its own).
    """
    definers = index.accessors.get(name, set())
    if not definers or source_app is None or name in local_names:
        return set()
    level = index.floors[source_app]
    if source_app in definers or any(index.floors[app] < level for app in definers):
        return set()
    for app, names in index.model_names.items():
        if index.floors.get(app, OUTSIDE) <= level and name in names:
            return set()
    return {app for app in definers if index.floors[app] >= level}


def _local_names(tree: ast.Module) -> frozenset[str]:
    """Attributes this file assigns (``self.proposals = ...``), its parameters and class fields."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    names.add(stmt.target.id)
    return frozenset(names)


def _lookup_segments(lookup: str) -> list[str]:
    return lookup.lstrip("-").split("__")


def python_references(source: str, index: Index, *, module: str = "") -> list[Reference]:
    """Every reference a Python file makes to a project package (its own included)."""
    tree = ast.parse(source)
    app = index.app_of_module(module) if module else None
    package = module.rsplit(".", 1)[0] if module else ""
    refs: list[Reference] = []
    local_names = _local_names(tree)

    def add_module(name: str, line: int, kind: str = "import") -> None:
        target = index.app_of_module(name)
        if target:
            refs.append(Reference(target, kind, name, line))

    def add_accessor(name: str, line: int) -> None:
        for target in _accessor_targets(index, name, app, local_names):
            refs.append(Reference(target, "accessor", name, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add_module(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if node.module is None:  # from . import kinds
                for alias in node.names:
                    add_module(f"{name}.{alias.name}", node.lineno)
            else:
                add_module(name, node.lineno)
        elif isinstance(node, ast.Attribute):
            add_accessor(node.attr, node.lineno)
        elif isinstance(node, ast.Call):
            func = _call_name(node)
            first = _const_str(node.args[0]) if node.args else None
            if func in URL_FUNCTIONS and first and (target := _url_target(index, first)):
                refs.append(Reference(target, "url", first, node.lineno))
            for kw in node.keywords:
                value = _const_str(kw.value)
                if kw.arg == "pattern_name" and value and (target := _url_target(index, value)):
                    refs.append(Reference(target, "url", value, node.lineno))
                if kw.arg and ("__" in kw.arg or func in LOOKUP_FUNCTIONS):
                    for segment in _lookup_segments(kw.arg):
                        add_accessor(segment, node.lineno)
            if func in MODULE_FUNCTIONS and first:
                add_module(first, node.lineno)
            if func == "get_model" and first:  # get_model("pairing", "Pair"), ("pairing.Pair")
                add_module(first.split(".")[0], node.lineno)
            if func in LOOKUP_STRING_FUNCTIONS:
                for arg in node.args:
                    if (value := _const_str(arg)) is not None:
                        for segment in _lookup_segments(value):
                            add_accessor(segment, node.lineno)
    return refs


LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")
URL = re.compile(r"""{%\s*url\s+["']([^"']+)["']""")
VARIABLE = re.compile(r"{[{%](.*?)[}%]}", re.S)


def template_references(text: str, index: Index, *, app: str | None) -> list[Reference]:
    refs: list[Reference] = []

    def line_of(match: re.Match) -> int:
        return text.count("\n", 0, match.start()) + 1

    for match in LOAD.finditer(text):
        words = match.group(1).split()
        libraries = words[words.index("from") + 1 :] if "from" in words else words
        for library in libraries:
            if target := index.tag_libraries.get(library):
                refs.append(Reference(target, "load", library, line_of(match)))
    for match in URL.finditer(text):
        if target := _url_target(index, match.group(1)):
            refs.append(Reference(target, "url", match.group(1), line_of(match)))
    for match in VARIABLE.finditer(text):
        for name in re.findall(r"\.(\w+)", match.group(1)):
            for target in _accessor_targets(index, name, app):
                refs.append(Reference(target, "accessor", name, line_of(match)))
    return refs


# -- The walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    path: str
    source: str
    target: str
    kind: str
    detail: str
    line: int

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.source} -> {self.target} ({self.kind} {self.detail})"
        )


def owner(relpath: Path, index: Index) -> str | None:
    """The package a file belongs to: its top folder, or the app of ``templates/<app>/``."""
    parts = relpath.parts
    if len(parts) == 1:
        return relpath.stem if relpath.stem in index.floors else None
    if parts[0] == "templates":
        return parts[1] if len(parts) > 2 and parts[1] in index.floors else "mentorship"
    return parts[0]


def allowed(index: Index, source: str, target: str) -> bool:
    if source == target:
        return True
    src, dst = index.floors[source], index.floors[target]
    if src == OUTSIDE:
        return True
    if dst == OUTSIDE:
        return False
    return dst < src


def project_files(root: Path):
    for top in sorted(root.iterdir()):
        if top.name in SKIP_DIRS or top.name.startswith("."):
            continue
        if top.is_file():
            if top.suffix == ".py":
                yield top
            continue
        for path in sorted(top.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py" or (
                path.suffix in TEMPLATE_SUFFIXES
                and ("templates" in path.relative_to(root).parts[:2])
            ):
                yield path


def find_violations(root: Path, index: Index) -> tuple[list[Violation], set[str]]:
    """Every upward reference under ``root``, and the top-level packages the doc does not place."""
    violations: list[Violation] = []
    unplaced: set[str] = set()
    for path in project_files(root):
        rel = path.relative_to(root)
        source = owner(rel, index)
        if source is None or source not in index.floors:
            if path.suffix == ".py":
                unplaced.add(rel.parts[0])
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            module = ".".join(rel.with_suffix("").parts)
            refs = python_references(text, index, module=module)
        else:
            refs = template_references(text, index, app=source)
        for ref in refs:
            if not allowed(index, source, ref.target):
                violations.append(
                    Violation(rel.as_posix(), source, ref.target, ref.kind, ref.detail, ref.line)
                )
    return violations, unplaced


# -- The tests ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index() -> Index:
    return build_index(ROOT, read_floors(ARCHITECTURE.read_text()))


@pytest.fixture(scope="module")
def found(index):
    return find_violations(ROOT, index)


def test_the_floors_come_from_docs_architecture(index):
    floors = index.floors
    assert floors["lib"] < floors["notifications"] < floors["people"] < floors["programmes"]
    assert floors["programmes"] < floors["pairing"] == floors["community"] < floors["feedback"]
    assert floors["feedback"] < floors["insights"] == floors["rhythm"] < floors["mentorship"]
    assert floors["bench"] == floors["conftest"] == OUTSIDE
    # What the index learnt from the code, so a silent parser failure cannot pass as "no refs".
    assert index.tag_libraries["pairing_tags"] == "pairing"
    assert index.namespaces["insights"] == "insights"
    assert "coordinated_programmes" in index.accessors


def test_every_top_level_package_is_placed_in_docs_architecture(found):
    _violations, unplaced = found
    assert not unplaced, f"Add {sorted(unplaced)} to the floors table in docs/architecture.md"


def test_no_floor_reaches_up(found):
    violations, _unplaced = found
    new = [v for v in violations if (v.path, v.target) not in ALLOWLIST]
    assert not new, "Upward references (see docs/architecture.md):\n" + "\n".join(
        map(str, sorted(new, key=lambda v: (v.path, v.line)))
    )


def test_the_allowlist_only_shrinks(found):
    violations, _unplaced = found
    still = {(v.path, v.target) for v in violations}
    stale = sorted(set(ALLOWLIST) - still)
    assert not stale, f"Fixed, so remove from ALLOWLIST in {Path(__file__).name}: {stale}"


# -- The checker checked ------------------------------------------------------------------------


def test_an_upward_import_inside_a_function_is_reported(index, tmp_path):
    (tmp_path / "notifications").mkdir()
    (tmp_path / "notifications" / "sneaky.py").write_text(
        "import lib.csvsafe\n"
        "from . import kinds\n"
        "\n"
        "def dashboard_link():\n"
        "    from insights.selectors import cohort_summary\n"
        "    return cohort_summary\n"
    )
    violations, _ = find_violations(tmp_path, index)
    assert [(v.path, v.source, v.target, v.kind, v.line) for v in violations] == [
        ("notifications/sneaky.py", "notifications", "insights", "import", 5)
    ]


def test_a_product_package_may_not_import_bench_but_bench_may_import_anything(index, tmp_path):
    for package, body in {
        "people": "from bench import harness\n",
        "bench": "from mentorship import testing\nimport insights.selectors\n",
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "mod.py").write_text(body)
    violations, _ = find_violations(tmp_path, index)
    assert [(v.source, v.target) for v in violations] == [("people", "bench")]


def test_relative_imports_and_string_references_are_resolved(index):
    source = (
        "from .. import selectors\n"
        "from django.urls import include, path\n"
        "urlpatterns = [path('x/', include('feedback.urls'))]\n"
        "model = apps.get_model('pairing', 'Pair')\n"
    )
    refs = python_references(source, index, module="people.tests.test_x")
    assert {(r.target, r.kind, r.detail) for r in refs} == {
        ("people", "import", "people.selectors"),
        ("feedback", "import", "feedback.urls"),
        ("pairing", "import", "pairing"),
    }


def test_a_higher_apps_url_name_is_reported_in_python_and_templates(index, tmp_path):
    (tmp_path / "templates" / "people").mkdir(parents=True)
    (tmp_path / "templates" / "people" / "page.html").write_text(
        "{% extends 'base.html' %}{% load static breadcrumbs %}\n"
        "{% load pairing_tags %}\n"
        "<a href=\"{% url 'insights:programme' programme.slug %}\">Dashboard</a>\n"
        "<a href=\"{% url 'people:profile' %}\">Me</a>\n"
    )
    (tmp_path / "programmes").mkdir()
    (tmp_path / "programmes" / "views.py").write_text(
        "from django.shortcuts import redirect\n"
        "def go(request):\n"
        "    return redirect('feedback:list', slug='x')\n"
    )
    violations, _ = find_violations(tmp_path, index)
    assert sorted((v.path, v.target, v.kind, v.detail) for v in violations) == [
        ("programmes/views.py", "feedback", "url", "feedback:list"),
        ("templates/people/page.html", "insights", "url", "insights:programme"),
        ("templates/people/page.html", "pairing", "load", "pairing_tags"),
    ]


def test_a_reverse_accessor_of_a_higher_app_is_reported(index, tmp_path):
    (tmp_path / "people").mkdir()
    (tmp_path / "people" / "middleware.py").write_text(
        "def is_coordinator(user):\n"
        "    return user.coordinated_programmes.exists()\n"
        "def busy(users):\n"
        "    return users.filter(coordinated_programmes__isnull=False)\n"
    )
    (tmp_path / "templates" / "people").mkdir(parents=True)
    (tmp_path / "templates" / "people" / "me.html").write_text(
        "{% for p in user.coordinated_programmes.all %}{{ p }}{% endfor %}"
    )
    (tmp_path / "insights").mkdir()  # a higher floor may use it
    (tmp_path / "insights" / "ok.py").write_text("x = user.coordinated_programmes.all()\n")
    violations, _ = find_violations(tmp_path, index)
    assert sorted((v.path, v.line, v.target, v.kind) for v in violations) == [
        ("people/middleware.py", 2, "programmes", "accessor"),
        ("people/middleware.py", 4, "programmes", "accessor"),
        ("templates/people/me.html", 1, "programmes", "accessor"),
    ]


def test_two_apps_on_one_floor_may_not_reference_each_other(index, tmp_path):
    (tmp_path / "pairing").mkdir()
    (tmp_path / "pairing" / "mod.py").write_text("from community.models import Group\n")
    violations, _ = find_violations(tmp_path, index)
    assert [(v.source, v.target) for v in violations] == [("pairing", "community")]


def test_a_package_missing_from_the_doc_is_reported(index, tmp_path):
    (tmp_path / "newapp").mkdir()
    (tmp_path / "newapp" / "models.py").write_text("import people\n")
    _violations, unplaced = find_violations(tmp_path, index)
    assert unplaced == {"newapp"}
