"""``python manage.py checkin_summaries [--cohort ID ...]``: write the pairs' check-in summaries
again from their check-ins (docs/metrics.md, "Speed").

The application keeps them as check-ins change; run this after loading check-ins outside it (a
restore of the check-in table alone, rows inserted with SQL). ``--check`` writes nothing and
exits 1 when a summary differs from its check-ins.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pairing.engagement import summaries_differ, summaries_rebuild
from pairing.models import Pair


class Command(BaseCommand):
    help = "Write the pairs' check-in summaries again from their check-ins."

    def add_arguments(self, parser):
        parser.add_argument("--cohort", type=int, action="append", help="only this cohort (repeat)")
        parser.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 if any summary differs"
        )

    def handle(self, *args, cohort=None, check=False, **options):
        pairs = Pair.objects.all()
        if cohort:
            pairs = pairs.filter(cohort_id__in=cohort)
        pair_ids = list(pairs.values_list("pk", flat=True))
        if check:
            differ = summaries_differ(pair_ids)
            if differ:
                raise CommandError(
                    f"{len(differ)} of {len(pair_ids)} pairs' summaries differ from their "
                    f"check-ins (first: pair {differ[0]}); run without --check to write them."
                )
            self.stdout.write(f"All {len(pair_ids)} pairs' summaries agree with their check-ins.")
            return
        with transaction.atomic():
            written = summaries_rebuild(pair_ids)
        self.stdout.write(f"Wrote the summaries of {written} pairs with check-ins.")
