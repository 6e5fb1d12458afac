import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from notifications.services import email_enqueue

from .models import Profile


class AccountAdapter(DefaultAccountAdapter):
    """Every account gets a profile the moment it is created, and every account email goes
    through the outbox (so it is retried, visible in the admin and never sent twice)."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Profile.objects.get_or_create(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth renders its own subject and text (with its links and codes); the outbox wraps
        # them in the email layout (templates/emails/account-*) and sends them.
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            # The account emails (templates/account/email/) speak as the site, never as the
            # host name allauth's stock templates greet from.
            "site_name": settings.SITE_NAME,
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        user = context.get("user")
        email_enqueue(
            to=email,
            kind="account",
            template="account",
            context={"subject": message.subject, "body_text": message.body},
            # allauth's own text, with the links and codes it made: not defused.
            verbatim=("subject", "body_text"),
            # Unique per message: a person who asks twice gets two emails.
            idempotency_key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4()}",
            user=user if getattr(user, "pk", None) else None,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on (OpenID Connect): a person who arrives from the identity provider gets a
    profile like everyone else."""

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        Profile.objects.get_or_create(user=user)
        return user
