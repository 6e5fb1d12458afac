"""Render many emails of the same templates fast: what the outbox's bulk enqueue uses.

One rhythm run writes tens of thousands of emails from a handful of templates, and Django's
template engine costs close to a millisecond a render (three a email: subject, text, HTML);
most of it is the parts every email of a batch shares: the layout, dates through the ``date``
filter, the same conditions. :class:`RenderMemo` renders each template once per *shape* of
context and fills in the per-person text afterwards.

How it stays exactly what Django renders
----------------------------------------

A template is looked at once (its nodes, and its parent's through ``{% extends %}``): every
variable it reads is classed by how it is used:

- *output*: only ever ``{{ key }}`` with no filter and no attribute look-up;
- *truth*: only tested for truth in ``{% if %}`` (directly, or under ``not``, ``and``, ``or``);
- anything else (a filter, a comparison, an argument, a look-up): its *value* matters.

A context's shape is the values of the *value* variables, the truth of the *truth* ones, and
which *output* variables hold a non-empty string. The template is rendered once per shape with
a marker (``\\x00<n>\\x00``, which escaping leaves alone) in place of each non-empty output
string; each later context of that shape gets the cached text with every marker replaced by its
own string, escaped exactly as Django does for ``{{ key }}`` (``conditional_escape`` with
autoescape, ``str`` without). A string is the same in every template position, so the result is
identical. Anything this does not understand renders through Django as before: a tag other than
``extends``, ``block``, ``if`` (``{% for %}``, ``{% with %}``, ``{% autoescape %}``, custom tags), a
*value* variable whose value is not a plain immutable (a list, a model), a string holding
``\\x00``. notifications/tests/test_rendering.py renders every email template both ways.

The cache lives as long as the memo (one rhythm run) and holds at most ``MAX_SHAPES`` texts.
"""

from __future__ import annotations

import datetime as dt
import decimal
import html
from collections.abc import Callable

from django.template import Context
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, IfNode, LoadNode, TemplateLiteral
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode
from django.utils import timezone, translation

OUTPUT, TRUTH, VALUE = "output", "truth", "value"
MAX_SHAPES = 2000
_IMMUTABLE = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, decimal.Decimal)
_LOGICAL = ("not", "and", "or")


class _Unsupported(Exception):
    """The template uses something the memo does not reason about: render it plainly."""


def _uses(template) -> dict[str, str] | None:
    """{variable: OUTPUT | TRUTH | VALUE} for a compiled template and its parents, or None when
    it has a node the memo does not understand."""
    uses: dict[str, set[str]] = {}
    try:
        _walk_template(template, uses, depth=0)
    except _Unsupported:
        return None
    out = {}
    for name, kinds in uses.items():
        if kinds == {OUTPUT}:
            out[name] = OUTPUT
        elif kinds <= {OUTPUT, TRUTH}:
            out[name] = TRUTH if kinds == {TRUTH} else OUTPUT + TRUTH
        else:
            out[name] = VALUE
    return out


def _walk_template(template, uses, depth: int) -> None:
    if depth > 10:
        raise _Unsupported
    for node in template.nodelist:
        _walk(node, template, uses, depth)


def _note(uses, name: str, kind: str) -> None:
    uses.setdefault(name, set()).add(kind)


def _expression(fe: FilterExpression, uses, kind: str) -> None:
    """Record the variables of ``{{ fe }}`` (kind OUTPUT) or of an if-operand (kind TRUTH);
    anything with a filter or a look-up counts as VALUE, and so do filter arguments."""
    var = fe.var
    if isinstance(var, Variable) and var.lookups is not None:
        plain = not fe.filters and len(var.lookups) == 1 and not var.translate
        _note(uses, var.lookups[0], kind if plain else VALUE)
    elif isinstance(var, Variable) and var.translate:
        raise _Unsupported  # _("...") depends on the language: not worth reasoning about
    for _func, args in fe.filters:
        for lookup, arg in args:
            if lookup and isinstance(arg, Variable) and arg.lookups is not None:
                _note(uses, arg.lookups[0], VALUE)
            elif isinstance(arg, Variable) and arg.translate:
                raise _Unsupported


def _condition(cond, uses, truth: bool) -> None:
    if cond is None:
        return
    if isinstance(cond, TemplateLiteral):
        _expression(cond.value, uses, TRUTH if truth else VALUE)
        return
    op = getattr(cond, "id", None)
    if op is None or not hasattr(cond, "first"):
        raise _Unsupported
    inner = truth and op in _LOGICAL
    _condition(cond.first, uses, inner)
    _condition(cond.second, uses, inner)


def _walk(node: Node, template, uses, depth: int) -> None:
    if isinstance(node, (TextNode, CommentNode, LoadNode)):
        return
    if isinstance(node, VariableNode):
        _expression(node.filter_expression, uses, OUTPUT)
    elif isinstance(node, IfNode):
        for cond, nodelist in node.conditions_nodelists:
            _condition(cond, uses, truth=True)
            for child in nodelist:
                _walk(child, template, uses, depth)
    elif isinstance(node, BlockNode):
        for child in node.nodelist:
            _walk(child, template, uses, depth)
    elif isinstance(node, ExtendsNode):
        if node.parent_name.is_var or node.parent_name.filters:
            raise _Unsupported
        for child in node.nodelist:
            _walk(child, template, uses, depth)
        parent = template.engine.get_template(node.parent_name.var)
        _walk_template(parent, uses, depth + 1)
    else:
        raise _Unsupported


def _marker(i: int) -> str:
    return f"\x00{i}\x00"


class RenderMemo:
    """Renders templates/emails/* for many contexts, once per shape of context (see the module
    docstring). ``render(name, context, autoescape=...)`` returns exactly what Django would.

    The active language and time zone are part of every shape; they are read when the memo is
    made and at each :meth:`refresh` (the bulk enqueue calls it once per batch), not per render:
    nothing switches them in the middle of rendering a batch."""

    def __init__(self, *, per_render: bool = False):
        """``per_render``: for a memo that outlives a batch (the single enqueue's, one per
        process): each render looks its template up again (Django's loaders cache it; a template
        edited in development, or replaced in a test, is a new object and a new shape) and
        reads the language and time zone itself, so no refresh is needed and threads sharing
        it cannot mix their languages."""
        self._per_render = per_render
        self._templates: dict = {}
        self._uses: dict[tuple, dict[str, str] | None] = {}
        self._texts: dict[tuple, str] = {}
        self.hits = 0
        self.misses = 0
        self.refresh()

    def refresh(self) -> None:
        self._environment = (translation.get_language(), timezone.get_current_timezone_name())

    def render(self, name: str, context: dict, *, autoescape: bool) -> str:
        if self._per_render:
            template = get_template(name).template
            environment = (translation.get_language(), timezone.get_current_timezone_name())
        else:
            template = self._templates.get(name)
            if template is None:
                template = self._templates[name] = get_template(name).template
            environment = self._environment
        key = (template, autoescape)
        if key not in self._uses:
            if len(self._uses) >= MAX_SHAPES:
                self._uses.clear()
            self._uses[key] = _uses(template)
        uses = self._uses[key]
        if uses is None:
            return _render(template, context, autoescape)
        shape: list = [name, template, autoescape, environment]
        markers: list[tuple[str, str]] = []  # (variable, marker) for the one render of a shape
        fills: list[tuple[str, str]] = []  # (marker, its text in this email)
        for var, use in uses.items():
            if var not in context:
                shape.append((var, "missing"))
                continue
            value = context[var]
            if use == TRUTH:
                shape.append((var, bool(value)))
            elif use != VALUE and type(value) is str and value:
                if "\x00" in value:
                    return _render(template, context, autoescape)
                marker = _marker(len(fills))
                markers.append((var, marker))
                # What {{ var }} gives a str: conditional_escape() is html.escape() for a str.
                fills.append((marker, html.escape(value) if autoescape else value))
                shape.append((var, "string"))
            elif isinstance(value, _IMMUTABLE) and not (isinstance(value, str) and "\x00" in value):
                # type() too: 1, 1.0 and True are equal but render differently.
                shape.append((var, type(value), value))
            else:
                return _render(template, context, autoescape)
        shape_key = tuple(shape)
        text = self._texts.get(shape_key)
        if text is None:
            self.misses += 1
            text = _render(template, {**context, **dict(markers)}, autoescape)
            if len(self._texts) >= MAX_SHAPES:
                self._texts.clear()
            self._texts[shape_key] = text
        else:
            self.hits += 1
        for marker, value in fills:
            text = text.replace(marker, value)
        return text


def _render(template, context: dict, autoescape: bool) -> str:
    """What ``render_to_string`` (autoescape) or the outbox's plain-text render gives."""
    return template.render(Context(context, autoescape=autoescape))


def renderer(memo: RenderMemo | None) -> Callable[[str, dict, bool], str]:
    """``render(name, context, autoescape)``: through ``memo`` when there is one."""
    if memo is None:
        return lambda name, context, autoescape: _render(
            get_template(name).template, context, autoescape
        )
    return lambda name, context, autoescape: memo.render(name, context, autoescape=autoescape)
