"""Shipping events operators record on their order lines (with the carrier's tracking number as reference)."""

from django.db import migrations

EVENTS = [("shipped", "Shipped"), ("delivered", "Delivered")]


def add(apps, schema_editor):
    ShippingEventType = apps.get_model("order", "ShippingEventType")
    for code, name in EVENTS:
        ShippingEventType.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_countries"), ("order", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
