"""Sections other apps' pages show about pairs (templates may look across apps; code may not)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from pairing import wording
from pairing.selectors import cohorts_to_rank_for, pairs_for_participant

register = template.Library()


@register.inclusion_tag("pairing/partials/my_pairs.html", takes_context=True)
def my_pairs(context, enrolments=None, pairs=None):
    """The person's pairs, and the cohorts where they rank their shortlist. Pass the person's
    ``enrolments`` (with ``cohort__programme``) and ``pairs`` (``pairs_for_participant``) when
    the page has them: a query fewer each."""
    user = context["request"].user
    pairs = list(pairs_for_participant(user=user)) if pairs is None else pairs
    for pair in pairs:
        pair.my_role = "mentor" if pair.mentor.user_id == user.pk else "mentee"
        pair.other = pair.mentee.user if pair.my_role == "mentor" else pair.mentor.user
        pair.next_due = pair.next_checkin_due(pair.last_met_on)
    return {"pairs": pairs, "to_rank": cohorts_to_rank_for(user=user, enrolments=enrolments)}


@register.filter
def coordinator_reasons(proposal) -> list[str]:
    """Why a proposed pair (or a shortlist option with ``mentor``/``mentee``) fits, in words
    for the coordinator (pairing/wording.py)."""
    return wording.for_coordinator(
        proposal.reasons,
        mentee=proposal.mentee.user.display_name,
        mentor=proposal.mentor.user.display_name,
    )


@register.filter
def option_reasons_for_coordinator(option, mentee) -> list[str]:
    return wording.for_coordinator(
        option["facts"],
        mentee=mentee.user.display_name,
        mentor=option["mentor"].user.display_name,
    )


@register.filter
def option_reasons_for_mentee(option) -> list[str]:
    """Why a mentor on a mentee's shortlist suits them, in the mentee's words."""
    return wording.for_participant(
        option["facts"], reader="mentee", other=wording.first_name(option["mentor"].user)
    )


@register.filter
def score_parts(breakdown) -> list[dict]:
    return wording.components(breakdown)


@register.filter
def out_of_ten(score) -> str:
    return wording.out_of_ten(score)


# --- The pairing review's menus -----------------------------------------------------------------
# One review page has a reassign and a swap menu on every row: written once per page (each option
# is formatted once and joined per row), not rendered option by option in a nested template loop.


def places_label(mentor) -> str:
    """ "2 of 3 places used": the proposed mentees against the places the mentor has left."""
    places = getattr(mentor, "spare", mentor.capacity)
    return f"{mentor.load} of {places} place{'s' if places != 1 else ''} used"


def _mentor_options(context, mentors) -> list[tuple[int, bool, str, str]]:
    key = ("pairing_mentor_options", id(mentors))
    cached = context.render_context.get(key)
    if cached is None:
        cached = []
        for m in mentors:
            full = m.load >= getattr(m, "spare", m.capacity)
            label = f"{m.user.display_name} – {places_label(m)}" + (" (full)" if full else "")
            cached.append((m.pk, full, str(m.pk), label))
        context.render_context[key] = cached
    return cached


@register.simple_tag(takes_context=True)
def mentor_options(context, mentors, current=None):
    """The options of a "give this mentee another mentor" menu: each mentor with the places used
    ("2 of 3 places used"); a full mentor cannot be chosen (capacity is a hard rule), except as
    the mentee's current mentor, shown selected."""
    parts = [mark_safe('<option value="">Choose a mentor</option>')] if current is None else []  # noqa: S308
    for pk, full, value, label in _mentor_options(context, mentors):
        if pk == current:
            parts.append(format_html('<option value="{}" selected>{}</option>', value, label))
        elif full:
            parts.append(format_html('<option value="{}" disabled>{}</option>', value, label))
        else:
            parts.append(format_html('<option value="{}">{}</option>', value, label))
    return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


@register.simple_tag(takes_context=True)
def swap_options(context, proposals, current):
    """The options of a "swap mentors with" menu: every other proposed pair, by its mentee."""
    key = ("pairing_swap_options", id(proposals))
    cached = context.render_context.get(key)
    if cached is None:
        cached = [
            (
                p.pk,
                format_html(
                    '<option value="{}">{} (with {})</option>',
                    p.pk,
                    p.mentee.user.display_name,
                    p.mentor.user.display_name,
                ),
            )
            for p in proposals
        ]
        context.render_context[key] = cached
    return mark_safe("".join(html for pk, html in cached if pk != current.pk))  # noqa: S308


_PLACEHOLDER = 987654321


@register.simple_tag(takes_context=True)
def proposal_url(context, action: str, proposal) -> str:
    """The address of one change to one proposed pair (``lock``, ``unlock``, ``exclude``,
    ``swap``), reversed once per page and action and filled in per row: the review page has
    several per row, and reversing each costs more than the rest of the row."""
    key = ("pairing_proposal_url", action)
    pattern = context.render_context.get(key)
    if pattern is None:
        run = context["run"]
        url = reverse(
            f"pairing:proposal_{action}",
            args=[run.cohort.programme.slug, run.cohort_id, run.pk, _PLACEHOLDER],
        )
        head, tail = url.rsplit(str(_PLACEHOLDER), 1)
        pattern = context.render_context[key] = (head, tail)
    head, tail = pattern
    return f"{head}{int(proposal.pk)}{tail}"
