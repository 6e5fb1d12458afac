"""Sections other apps' pages show about pairs (templates may look across apps; code may not)."""

from django import template

from pairing.selectors import cohorts_to_rank_for, pairs_for_participant

register = template.Library()


@register.inclusion_tag("pairing/partials/my_pairs.html", takes_context=True)
def my_pairs(context):
    user = context["request"].user
    pairs = list(pairs_for_participant(user=user))
    for pair in pairs:
        pair.my_role = "mentor" if pair.mentor.user_id == user.pk else "mentee"
        pair.other = pair.mentee.user if pair.my_role == "mentor" else pair.mentor.user
        pair.next_due = pair.next_checkin_due(pair.last_met_on)
    return {"pairs": pairs, "to_rank": cohorts_to_rank_for(user=user)}
