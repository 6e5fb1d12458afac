"""Sections other apps' pages show about the community (templates may look across apps)."""

from django import template

from community.models import GroupMember
from programmes.models import CohortStatus, EnrolmentStatus

register = template.Library()


SHOWN_COHORTS = (CohortStatus.RUNNING, CohortStatus.FINISHED)


@register.inclusion_tag("community/partials/my_community.html", takes_context=True)
def my_community(context, enrolments=None):
    """Links to the person's cohort communities (running and finished cohorts). 2 queries, or 1
    when the page passes the person's ``enrolments`` (with ``cohort__programme`` loaded, newest
    cohort first), as the home page does."""
    user = context["request"].user
    if enrolments is None:
        enrolments = list(
            user.enrolments.filter(
                status=EnrolmentStatus.ACCEPTED, cohort__status__in=SHOWN_COHORTS
            )
            .select_related("cohort__programme")
            .order_by("-cohort__starts_on")
        )
    else:
        enrolments = [
            e
            for e in enrolments
            if e.user_id == user.pk
            and e.status == EnrolmentStatus.ACCEPTED
            and e.cohort.status in SHOWN_COHORTS
        ]
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
