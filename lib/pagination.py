"""Long lists (a cohort's people, its pairs, the pairs at risk) one page at a time.

A national cohort has tens of thousands of people and pairs: a page that lists them all costs
seconds and megabytes to render and is no use to read. :func:`paginate` wraps Django's
``Paginator`` and gives the page the addresses of its neighbours, each keeping the request's
other query parameters (its filters); ``templates/lib/_pagination.html`` shows them. A page
number that is not a number, or past the end, gives the first or last page, never an error.
"""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, items, *, per_page: int | None = None, param: str = "page") -> Page:
    """The requested page (``?page=``, or ``?<param>=``) of ``items``: a queryset (one COUNT
    query, then the page's rows when it is read) or a list. ``page.links`` is a list of
    ``(number, href)`` around this page, ``(Paginator.ELLIPSIS, None)`` for the gaps;
    ``page.previous_href`` and ``page.next_href`` are the neighbours' (or ``None``)."""
    page = Paginator(items, per_page or PER_PAGE).get_page(request.GET.get(param))
    query = request.GET.copy()

    def href(number) -> str:
        query[param] = number
        return "?" + query.urlencode()

    page.links = [
        (n, None if n == page.paginator.ELLIPSIS else href(n))
        for n in page.paginator.get_elided_page_range(page.number, on_each_side=2)
    ]
    page.previous_href = href(page.previous_page_number()) if page.has_previous() else None
    page.next_href = href(page.next_page_number()) if page.has_next() else None
    return page
