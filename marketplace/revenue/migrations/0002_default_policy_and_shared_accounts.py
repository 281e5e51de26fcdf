from decimal import Decimal

from django.conf import settings
from django.db import migrations

SHARED = [
    ("campus_fund", "Campus fund"),
    ("marketing_pool", "Marketing pool"),
    ("payment_fees", "Payment fees"),
    ("clearing", "Shop clearing"),
]


def seed(apps, schema_editor):
    AllocationPolicy = apps.get_model("revenue", "AllocationPolicy")
    Account = apps.get_model("revenue", "Account")
    if not AllocationPolicy.objects.exists():
        AllocationPolicy.objects.create(
            campus_fund_minimum_percent=Decimal(str(settings.CAMPUS_FUND_MINIMUM_PERCENT)),
            marketing_percent=Decimal("5.00"),
            royalty_percent=Decimal("3.00"),
            card_fee_percent=Decimal("2.90"),
            card_fee_fixed=Decimal("0.30"),
            payout_threshold=Decimal("25.00"),
        )
    for kind, name in SHARED:
        Account.objects.get_or_create(kind=kind, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("revenue", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
