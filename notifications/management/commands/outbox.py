"""List recent emails of the outbox, or print one in full: ``manage.py outbox [--show ID]``."""

from django.core.management.base import BaseCommand, CommandError

from notifications.models import Email


class Command(BaseCommand):
    help = "List recent emails in the outbox (newest first), or show one with --show ID."

    def add_arguments(self, parser):
        parser.add_argument("-n", "--limit", type=int, default=20)
        parser.add_argument("--status", choices=Email.Status.values)
        parser.add_argument("--to", help="only emails to this address")
        parser.add_argument("--show", type=int, metavar="ID", help="print one email in full")
        parser.add_argument("--html", action="store_true", help="with --show: the HTML body too")

    def handle(self, *args, limit, status, to, show, html, **options):
        if show is not None:
            email = Email.objects.filter(pk=show).first()
            if email is None:
                raise CommandError(f"No email {show}.")
            self._show(email, html)
            return
        emails = Email.objects.all()
        if status:
            emails = emails.filter(status=status)
        if to:
            emails = emails.filter(to__iexact=to)
        rows = list(emails[:limit])
        if not rows:
            self.stdout.write("The outbox is empty.")
            return
        for e in rows:
            when = (e.sent_at or e.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"{e.pk:>6}  {when}  {e.status:<9}  {e.kind:<20}  {e.to:<32}  {e.subject}"
            )
            if e.last_error and e.status != Email.Status.SENT:
                self.stdout.write(f"{'':>8}{e.last_error[:150]}")
        self.stdout.write("Show one in full: python manage.py outbox --show ID")

    def _show(self, email, html):
        w = self.stdout.write
        w(f"To:       {email.to}")
        w(f"Subject:  {email.subject}")
        w(f"Kind:     {email.kind} (template {email.template})")
        w(f"Status:   {email.status}, {email.attempts} attempt(s)")
        if email.last_error:
            w(f"Error:    {email.last_error}")
        for name, value in email.headers.items():
            w(f"{name}: {value}")
        for item in email.attachments:
            w(f"Attachment: {item.get('filename')} ({item.get('mimetype')})")
        w("")
        w(email.body_text)
        if html:
            w(email.body_html)
