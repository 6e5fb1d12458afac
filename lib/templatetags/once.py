"""``{% form_token %}``: the hidden one-time token (``lib.once``) for a plain HTML form."""

from django import template
from django.utils.html import format_html

from lib.once import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
