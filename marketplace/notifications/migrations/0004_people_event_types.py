from django.db import migrations

EVENTS = {
    "PART_TO_DELIVER": "A paid part to deliver (to its operator)",
    "STOREFRONT_CHANGED": "Storefront approved, suspended or reinstated (to its operator)",
    "MARK_GRANTED": "OSE Certified mark granted (to the contributors of a certification)",
}


def register(apps, schema_editor):
    """Staff find the e-mails to operators and contributors beside the shoppers' (Content -> Emails)."""
    event_type = apps.get_model("communication", "CommunicationEventType")
    for code, name in EVENTS.items():
        event_type.objects.get_or_create(code=code, defaults={"name": name, "category": "User related"})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_seats_and_licence")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop)]
