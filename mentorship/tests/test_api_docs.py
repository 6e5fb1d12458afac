"""The worked example of docs/api.md runs as written against the demo data, over real HTTP."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from api.services import api_token_create
from lib.audit import AuditContext
from people.models import User

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.mark.django_db(transaction=True)
def test_the_python_example_reproduces_the_dashboards_retention(live_server, monkeypatch, capsys):
    pytest.importorskip("pandas")
    call_command("seed_demo")
    coordinator = User.objects.get(email="coordinator@example.com")
    raw = api_token_create(
        user=coordinator, name="docs", scopes=["figures"], days=1, ctx=AuditContext()
    )[1]
    monkeypatch.setenv("API", f"{live_server.url}/api/v1")
    monkeypatch.setenv("TOKEN", raw)
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_example"})  # noqa: S102 - our doc
    printed = capsys.readouterr().out
    assert "returning_rate" in printed
