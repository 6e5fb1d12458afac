"""Sections other apps' pages show about the community (templates may look across apps)."""

from django import template

from community.models import GroupMember
from programmes.models import CohortStatus, EnrolmentStatus

register = template.Library()


@register.inclusion_tag("community/partials/my_community.html", takes_context=True)
def my_community(context):
    """Links to the person's cohort communities (running and finished cohorts). 2 queries."""
    user = context["request"].user
    enrolments = list(
        user.enrolments.filter(
            status=EnrolmentStatus.ACCEPTED,
            cohort__status__in=[CohortStatus.RUNNING, CohortStatus.FINISHED],
        )
        .select_related("cohort__programme")
        .order_by("-cohort__starts_on")
    )
    groups = (
        dict(
            GroupMember.objects.filter(
                enrolment__in=[e.pk for e in enrolments], group__published=True
            ).values_list("enrolment_id", "group__name")
        )
        if enrolments
        else {}
    )
    for enrolment in enrolments:
        enrolment.group_name = groups.get(enrolment.pk, "")
    return {"enrolments": enrolments}
