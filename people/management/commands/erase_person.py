"""Erase a person's personal data: ``python manage.py erase_person EMAIL``."""

from django.core.management.base import BaseCommand, CommandError

from people.models import User
from people.services import person_erase


class Command(BaseCommand):
    help = (
        "Remove or anonymise a person's identity and free text everywhere (their enrolments, "
        "pairs and scores stay, attached to an anonymised account). Irreversible."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's email address.")
        parser.add_argument("--reason", default="", help="Recorded in the audit log.")

    def handle(self, *args, email, reason, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email!r}.")
        counts = person_erase(user=user, actor=None, reason=reason)
        done = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to change"
        self.stdout.write(self.style.SUCCESS(f"Erased account #{user.pk} ({done})."))
