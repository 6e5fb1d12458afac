"""The one breadcrumb of every page.

``{% breadcrumbs "Programmes" list_url programme.name programme_url "Here" %}``:

Arguments come in (label, url) pairs; the last label stands alone and is the current page.
"""

from django import template

register = template.Library()


@register.inclusion_tag("lib/breadcrumbs.html")
def breadcrumbs(*parts):
    parts = list(parts)
    current = parts.pop() if len(parts) % 2 == 1 else None
    trail = [(parts[i], parts[i + 1]) for i in range(0, len(parts), 2)]
    return {"trail": trail, "current": current}
