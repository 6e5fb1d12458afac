"""Template tags other pages use to show a person's surveys without knowing about feedback."""

from django import template

from feedback.selectors import open_invitations_for

register = template.Library()


@register.inclusion_tag("feedback/_surveys_to_answer.html", takes_context=True)
def surveys_to_answer(context):
    """The signed-in person's open survey invitations, as a "Surveys to answer" section."""
    request = context.get("request")
    user = getattr(request, "user", None)
    invitations = list(open_invitations_for(user=user)) if user is not None else []
    return {"invitations": invitations}
