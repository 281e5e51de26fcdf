from django.db import migrations

EVENTS = {
    "ORDER_PLACED": "Order placed",
    "PAYMENT_REMINDER": "Bank transfer not received yet",
    "ORDER_CANCELLED": "Unpaid order cancelled",
    "PAYMENT_RECEIVED": "Payment received",
    "PART_SHIPPED": "Part of an order shipped",
    "PART_DELIVERED": "Part of an order delivered",
    "ORDER_REFUNDED": "Refund made",
    "DOWNLOAD_READY": "Download ready",
}


def register(apps, schema_editor):
    """Staff find every e-mail to shoppers in the dashboard (Content -> Emails), to edit its subject and text."""
    event_type = apps.get_model("communication", "CommunicationEventType")
    for code, name in EVENTS.items():
        event_type.objects.get_or_create(code=code, defaults={"name": name, "category": "Order related"})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("communication", "0004_auto_20200801_0817")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop)]
