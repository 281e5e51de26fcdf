from django.db import migrations

EVENTS = {"SEATS_ENROLLED": "Training seats booked", "LICENCE_ISSUED": "Distribution licence issued"}


def register(apps, schema_editor):
    event_type = apps.get_model("communication", "CommunicationEventType")
    for code, name in EVENTS.items():
        event_type.objects.get_or_create(code=code, defaults={"name": name, "category": "Order related"})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_event_types")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop)]
