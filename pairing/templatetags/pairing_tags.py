"""Sections other apps' pages show about pairs (templates may look across apps; code may not)."""

from django import template

from pairing import wording
from pairing.selectors import pairs_for_participant

register = template.Library()


@register.inclusion_tag("pairing/partials/my_pairs.html", takes_context=True)
def my_pairs(context):
    user = context["request"].user
    pairs = list(pairs_for_participant(user=user))
    for pair in pairs:
        pair.my_role = "mentor" if pair.mentor.user_id == user.pk else "mentee"
        pair.other = pair.mentee.user if pair.my_role == "mentor" else pair.mentor.user
        pair.next_due = pair.next_checkin_due(pair.last_met_on)
    return {"pairs": pairs}


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
