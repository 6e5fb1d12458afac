"""Text that other apps add to a project proposal for duplicate detection.

Community's show-and-tell summaries say what a past project actually did, so a new proposal is
compared with them too. Community sits on a higher floor than recruitment, so it registers a
source here from its ``AppConfig.ready()`` instead of recruitment reaching up through the
``enrolment.project_summary`` reverse accessor (docs/architecture.md).

A source is ``fn(enrolment_ids) -> {enrolment_id: (text, updated_at)}``: the text to add (empty
when nothing is published) and when it last changed (so the cached index is rebuilt).
"""

from __future__ import annotations

from collections.abc import Callable

_sources: list[Callable] = []


def register(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def extras(enrolment_ids) -> dict[int, tuple[list[str], object]]:
    """Per enrolment: the texts every source adds, and the latest change among them."""
    ids = list(enrolment_ids)
    out: dict[int, tuple[list[str], object]] = {}
    if not ids:
        return out
    for source in _sources:
        for enrolment_id, (text, updated_at) in source(ids).items():
            texts, latest = out.get(enrolment_id, ([], None))
            if text:
                texts = [*texts, text]
            if updated_at is not None and (latest is None or updated_at > latest):
                latest = updated_at
            out[enrolment_id] = (texts, latest)
    return out
