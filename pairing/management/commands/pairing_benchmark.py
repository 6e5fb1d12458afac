"""``manage.py pairing_benchmark [--sizes ...]``: wraps :mod:`pairing.engine.bench`."""

from django.core.management.base import BaseCommand

from pairing.engine import bench


class Command(BaseCommand):
    help = "Benchmark the pairing engine (scoring + exact solver) on synthetic cohorts."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default=bench.DEFAULT_SIZES)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--dense-limit", type=float, default=3.0e7)

    def handle(self, *args, **options):
        argv = [
            "--sizes",
            options["sizes"],
            "--seed",
            str(options["seed"]),
            "--dense-limit",
            str(options["dense_limit"]),
        ]
        bench.main(argv)
