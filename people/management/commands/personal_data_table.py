"""Print docs/privacy.md's table of personal-data fields, generated from the declarations."""

from django.core.management.base import BaseCommand

from people import personal_data


class Command(BaseCommand):
    help = "Print the table of every personal-data field, its download section and its erasure."

    def handle(self, *args, **options):
        self.stdout.write(personal_data.markdown_table(), ending="")
