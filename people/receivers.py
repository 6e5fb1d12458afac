"""Audit entries for account events that happen inside Django and allauth, not in a service of
ours: sign-ins (allauth's signal), failed sign-ins (Django's), sign-outs and second factors
added or removed. Connected in PeopleConfig.ready(). Never records a password (Django masks
it in ``credentials`` anyway)."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from lib.audit import AuditContext

from .models import User
from .services import audit_record


def _ctx(request) -> AuditContext | None:
    """Where the account event came from (some signals are sent without a request)."""
    return AuditContext.from_request(request) if request is not None else None


# allauth's signal, not Django's: it fires for every real sign-in (the form, the admin through
# secure_admin_login, single sign-on) and not for tests' force_login.
@receiver(account_signals.user_logged_in, dispatch_uid="people-audit-sign-in")
def _signed_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="sign-in", obj=user, context=_ctx(request))


@receiver(auth_signals.user_logged_out, dispatch_uid="people-audit-sign-out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="sign-out", obj=user, context=_ctx(request))


@receiver(auth_signals.user_login_failed, dispatch_uid="people-audit-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    known = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        action="sign-in-failed",
        obj=known,
        # The address tried: an attack on one account shows up as many rows naming it.
        summary=f"failed sign-in as {email}" if email else "failed sign-in",
        context=_ctx(request),
    )


@receiver(mfa_signals.authenticator_added, dispatch_uid="people-audit-mfa-added")
def _mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(
        actor=user, action="mfa-added", obj=user, summary=authenticator.type, context=_ctx(request)
    )


@receiver(mfa_signals.authenticator_removed, dispatch_uid="people-audit-mfa-removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(
        actor=user,
        action="mfa-removed",
        obj=user,
        summary=authenticator.type,
        context=_ctx(request),
    )
