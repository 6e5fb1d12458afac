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


# The "Coordinate" menu flag is cached per person (people/roles.py): a permission given or taken
# away, directly or through a group, shows at the person's next page.
def _permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    from django.contrib.auth.models import Group

    from .roles import forget_coordinate_menu

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, User):  # user.groups or user.user_permissions
        ids = [instance.pk]
    elif isinstance(instance, Group):  # group.user_set, or group.permissions (its members)
        ids = (
            pk_set
            if model is User and pk_set is not None
            else instance.user_set.values_list("pk", flat=True)
        )
    elif model is User:  # permission.user_set
        ids = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
    else:  # permission.group_set: the groups' members
        groups = pk_set if pk_set is not None else instance.group_set.values_list("pk", flat=True)
        ids = User.objects.filter(groups__in=list(groups)).values_list("pk", flat=True)
    forget_coordinate_menu(list(ids))


def connect_permission_signals() -> None:
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed

    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            _permissions_changed, sender=through, dispatch_uid=f"people-menu-{through.__name__}"
        )
