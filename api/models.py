"""Personal API tokens: created and revoked by their owner, shown once, stored hashed."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    FIGURES = "figures", "Figures"
    PEOPLE = "people", "People"


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        """Not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """One personal token. Only a SHA-256 digest of the secret is kept: the secret has 256 bits
    of entropy, so a slow password hash would add nothing but latency to every request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. 'R notebook'.")
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])
