"""A small Markdown-to-HTML renderer for the project's own documentation pages (docs/*.md).

Enough of Markdown for the documents we write ourselves: headings, paragraphs, bullet lists,
pipe tables, ``code``, **bold**, *italic* and [links](url). Everything is HTML-escaped first, so
the output is safe whatever the file holds. Not a general Markdown implementation: the runtime
has no Markdown library, and these documents do not need one.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _inline(text: str) -> str:
    """Inline markup on one escaped line; code spans are kept apart from the other rules."""
    parts = _CODE.split(escape(text))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{part}</code>")
            continue
        part = _LINK.sub(
            lambda m: (
                f'<a href="{m.group(2)}">{m.group(1)}</a>'
                if m.group(2).startswith(("http://", "https://", "/", "#"))
                else m.group(1)
            ),
            part,
        )
        part = _BOLD.sub(r"<strong>\1</strong>", part)
        part = _ITALIC.sub(r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def render(text: str, *, shift_headings: int = 0) -> SafeString:
    """The HTML of ``text``. ``shift_headings`` demotes every heading (a page that has its own
    ``<h1>`` passes 1). Headings get ids from their text, so a page can link to a section."""
    lines = text.splitlines()
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        heading = _HEADING.match(line)
        if not line.strip():
            flush()
        elif heading:
            flush()
            level = min(6, len(heading.group(1)) + shift_headings)
            title = heading.group(2).strip()
            html.append(f'<h{level} id="{slugify(title)}">{_inline(title)}</h{level}>')
        elif line.lstrip().startswith("|") and i + 1 < len(lines) and _RULE.match(lines[i + 1]):
            flush()
            head = _cells(line)
            i += 2
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            html.append(
                '<div class="table-responsive"><table class="table table-sm table-stack">'
                "<thead><tr>"
                + "".join(f'<th scope="col">{_inline(c)}</th>' for c in head)
                + "</tr></thead><tbody>"
                + "".join(
                    "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>"
                    for row in rows
                )
                + "</tbody></table></div>"
            )
            continue
        elif (bullet := _BULLET.match(line)) is not None:
            if paragraph:
                flush()
            items.append(bullet.group(1))
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()  # a list item's continuation line
        else:
            paragraph.append(line.strip())
        i += 1
    flush()
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text was escaped above
