"""A page, not a blank screen, for a request the view refuses by its method."""

from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    """A view that only takes POST (``require_POST``) answers a GET with an empty 405, which a
    browser shows as "This page isn't working". Give it a page saying why, with the same status
    and ``Allow`` header. Nothing about the object is revealed: the answer is the same for an id
    that does not exist."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
