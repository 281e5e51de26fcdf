"""Import a storefront's offers from CSV (columns: upc, price, stock). Every row goes through the same tier rules
as the dashboard; refused rows are reported with their reason and nothing else is lost."""

import csv
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Product
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.services import save_offer


class Command(BaseCommand):
    help = "Import offers for one storefront from a CSV file with columns upc, price, stock."

    def add_arguments(self, parser):
        parser.add_argument("storefront", help="the storefront's slug")
        parser.add_argument("csv_file")

    def handle(self, *args, storefront, csv_file, **options):
        try:
            store = Storefront.objects.select_related("tier", "partner").get(slug=storefront)
        except Storefront.DoesNotExist as exc:
            raise CommandError(f"No storefront “{storefront}”.") from exc
        saved = refused = 0
        with open(csv_file, newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    product = Product.objects.get(upc=(row.get("upc") or "").strip())
                    price = Decimal((row.get("price") or "").strip())
                    stock = int(row["stock"]) if (row.get("stock") or "").strip() else None
                    save_offer(storefront=store, product=product, price=price, num_in_stock=stock)
                except Product.DoesNotExist:
                    message = f"no product with UPC “{row.get('upc')}”"
                except (InvalidOperation, ValueError):
                    message = "price and stock must be numbers"
                except ValidationError as error:
                    message = " ".join(error.messages)
                else:
                    saved += 1
                    self.stdout.write(f"line {number}: {product.upc} saved")
                    continue
                refused += 1
                self.stderr.write(f"line {number}: refused: {message}")
        self.stdout.write(f"{saved} offers saved, {refused} refused.")
