"""What community holds about a person, for their data export and for erasure.

Registered with people.personal_data from CommunityConfig.ready(). Group membership, attendance
and directory choices are facts about the person (exported; kept for the stand-up and directory
figures, attached to the anonymised account). Contact messages may carry anything, health
disclosures included: the person gets the ones they sent and received; at erasure the subject and
body of every message they sent or received are erased (the row stays for the relay's rate limit
and the usage figures). Show-and-tell summaries are the person's own words: erased, and
unpublished so an empty card never shows on the past-projects page.
"""

from django.db.models import Q
from django.utils import timezone

from people import personal_data
from programmes.selectors import similarity_cache_forget

from .models import Attendance, ContactMessage, DirectoryListing, GroupMember, ProjectSummary

ERASED = personal_data.ERASED


def _iso(value):
    return value.isoformat() if value else None


def community_export(user) -> dict:
    return {
        "standup_groups": [
            {
                "cohort": m.group.cohort.name,
                "group": m.group.name,
                "facilitator": m.is_facilitator,
            }
            for m in GroupMember.objects.filter(enrolment__user=user).select_related(
                "group__cohort"
            )
        ],
        "attendance": [
            {"event": a.event.title, "occurrence": _iso(a.occurrence), "source": a.source}
            for a in Attendance.objects.filter(user=user)
            .select_related("event")
            .order_by("occurrence", "pk")
        ],
        "directory": [
            {
                "cohort": d.enrolment.cohort.name,
                "listed": d.opted_in,
                "show_email": d.show_email,
                "updated_at": _iso(d.updated_at),
            }
            for d in DirectoryListing.objects.filter(enrolment__user=user).select_related(
                "enrolment__cohort"
            )
        ],
        "messages_sent": [
            {
                "to": m.recipient.user.display_name,
                "subject": m.subject,
                "body": m.body,
                "sent_at": _iso(m.created_at),
            }
            for m in ContactMessage.objects.filter(sender=user)
            .select_related("recipient__user")
            .order_by("created_at", "pk")
        ],
        "messages_received": [
            {
                "from": m.sender.display_name,
                "subject": m.subject,
                "body": m.body,
                "sent_at": _iso(m.created_at),
            }
            for m in ContactMessage.objects.filter(recipient__user=user)
            .select_related("sender")
            .order_by("created_at", "pk")
        ],
        "project_summaries": [
            {
                "cohort": s.enrolment.cohort.name,
                "title": s.title,
                "summary": s.summary,
                "outcomes": s.outcomes,
                "published_at": _iso(s.published_at),
            }
            for s in ProjectSummary.objects.filter(enrolment__user=user).select_related(
                "enrolment__cohort"
            )
        ],
    }


def community_erase(user, erasure) -> None:
    messages = ContactMessage.objects.filter(Q(sender=user) | Q(recipient__user=user))
    erasure.count("contact_messages", messages.update(subject=ERASED, body=ERASED))
    summaries = ProjectSummary.objects.filter(enrolment__user=user)
    # Published summaries feed the duplicate-project index, cached per programme.
    similarity_cache_forget(
        programme_ids=summaries.values_list("enrolment__cohort__programme_id", flat=True)
    )
    erasure.count(
        "project_summaries",
        summaries.update(
            title=ERASED, summary=ERASED, outcomes="", published_at=None, updated_at=timezone.now()
        ),
    )
    erasure.count(
        "directory",
        DirectoryListing.objects.filter(enrolment__user=user).update(
            opted_in=False, show_email=False
        ),
    )


def register() -> None:
    personal_data.register("community", export=community_export, erase=community_erase)
    d = personal_data.declare
    kept = personal_data.ROW_ANONYMISED
    d(
        "community.StandupGroup",
        not_personal=["cohort", "name", "number", "published", "published_at", "created_at"],
    )
    d(
        "community.GroupMember",
        on_erase=kept,
        exported_in="community.standup_groups",
        person=["enrolment"],
        facts=["is_facilitator"],
        not_personal=["group"],
    )
    d(
        "community.Event",
        on_erase=personal_data.ROW_KEPT,
        exported_in="(events are the cohort's; names scrubbed from text)",
        person=["facilitator", "created_by"],
        not_personal=[
            "cohort",
            "group",
            "kind",
            "title",
            "description",
            "first_date",
            "start_time",
            "duration_minutes",
            "time_zone",
            "weekly",
            "repeat_until",
            "location",
            "video_url",
            "sequence",
            "created_at",
        ],
    )
    d(
        "community.Attendance",
        on_erase=kept,
        exported_in="community.attendance",
        person=["user", "recorded_by"],
        facts=["occurrence", "source", "recorded_at"],
        not_personal=["event"],
    )
    d(
        "community.DirectoryListing",
        on_erase=kept,
        exported_in="community.directory",
        person=["enrolment"],
        facts=["opted_in", "show_email", "updated_at"],
    )
    d(
        "community.ContactMessage",
        on_erase=kept,
        exported_in="community.messages_sent, community.messages_received",
        person=["sender", "recipient"],
        free_text=["subject", "body"],
        facts=["created_at"],
        not_personal=["cohort"],
    )
    d(
        "community.ProjectSummary",
        on_erase=kept,
        exported_in="community.project_summaries",
        person=["enrolment"],
        free_text=["title", "summary", "outcomes"],
        facts=["published_at", "updated_at"],
    )
