"""Long lists of a cohort (its people, its pairs) one page at a time.

A national cohort has tens of thousands of people and pairs: a page that lists them all costs
seconds and megabytes to render and is no use to read. :func:`paginate` wraps Django's
``Paginator``; ``templates/lib/_pagination.html`` shows the page links, keeping the page's
other query parameters (its filters) with ``{% querystring %}``. A page number that is not a
number, or past the end, gives the first or last page rather than an error.
"""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, items, *, per_page: int | None = None) -> Page:
    """The requested page (``?page=``) of ``items``: a queryset (one COUNT query, then the
    page's rows when it is read) or a list. ``page.links`` is the page numbers to link to
    around this one, with ``Paginator.ELLIPSIS`` for the gaps."""
    page = Paginator(items, per_page or PER_PAGE).get_page(request.GET.get("page"))
    page.links = list(page.paginator.get_elided_page_range(page.number, on_each_side=2))
    return page
