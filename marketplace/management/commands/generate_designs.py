import sys
import time

from django.core.management.base import BaseCommand, CommandError

from marketplace.synthetic import generate_designs


class Command(BaseCommand):
    help = (
        "Generate N synthetic designs, each sold at three levels by one of 50 storefronts in 50 categories, for "
        "benchmarks (the same rows as the stock Oscar peer shop: bench/stock)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000, help="designs to add (default 10,000)")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, batch_size, seed, **options):
        if count < 1 or batch_size < 1:
            raise CommandError("--count and --batch-size must be positive.")
        started = time.monotonic()
        width = 30

        def progress(done: int, total: int) -> None:
            filled = width * done // total
            rate = done / max(time.monotonic() - started, 1e-6)
            sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} designs, {rate:,.0f}/s")
            sys.stdout.flush()

        generate_designs(count=count, batch_size=batch_size, seed=seed, report=progress)
        self.stdout.write(f"\nGenerated {count:,} designs in {time.monotonic() - started:.1f} s.")
