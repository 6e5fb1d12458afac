"""What the outbox holds about a person, and how it forgets them.

The outbox knows no domain and sits below people, so people calls these two functions directly
(see people/personal_data.py).
"""

from django.db import transaction
from django.db.models import Q

from .models import Email, EmailPreference, UndeliverableAddress
from .selectors import undeliverable_cache_refresh

ERASED = "[erased]"


def _rows(*, user, email: str):
    return Email.objects.filter(Q(user=user) | Q(to__iexact=email))


def personal_data_export(*, user, email: str) -> dict:
    return {
        "email_preferences": [
            {"kind": p.kind, "enabled": p.enabled, "updated_at": p.updated_at.isoformat()}
            for p in EmailPreference.objects.filter(user=user).order_by("kind")
        ],
        "undeliverable_addresses": [
            {"address": u.address, "reported_at": u.reported_at.isoformat()}
            for u in UndeliverableAddress.objects.filter(
                Q(user=user) | Q(address=email.lower())
            ).order_by("address")
        ],
        "emails_sent_to_you": [
            {
                "to": e.to,
                "kind": e.kind,
                "subject": e.subject,
                "status": e.status,
                "created_at": e.created_at.isoformat(),
                "sent_at": e.sent_at.isoformat() if e.sent_at else None,
                "body_text": e.body_text,
            }
            for e in _rows(user=user, email=email).order_by("created_at", "pk")
        ],
    }


@transaction.atomic
def personal_data_erase(*, user, old_email: str, new_email: str) -> int:
    """Emails to the person keep their kind, status and dates (delivery figures) and lose the
    recipient, subject, bodies, headers and attachments. Unsent ones are cancelled."""
    rows = _rows(user=user, email=old_email)
    rows.filter(status__in=[Email.Status.PENDING, Email.Status.SENDING]).update(
        status=Email.Status.CANCELLED
    )
    n = rows.update(
        to=new_email,
        subject=ERASED,
        body_text=ERASED,
        body_html="",
        headers={},
        attachments=[],
        last_error="",
    )
    EmailPreference.objects.filter(user=user).delete()
    UndeliverableAddress.objects.filter(Q(user=user) | Q(address=old_email.lower())).delete()
    undeliverable_cache_refresh()  # the banner's cache holds the address too
    return n
