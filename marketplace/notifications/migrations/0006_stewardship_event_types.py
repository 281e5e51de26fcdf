from django.db import migrations

EVENTS = {
    "TAKE_BACK_CREDIT": "A take-back credited (the voucher, to the unit's owner)",
    "UNIT_TRANSFER": "A unit passed on (the claim link, to the new owner's address)",
}


def register(apps, schema_editor):
    """Stewardship's e-mails, editable by staff beside the others (Content -> Emails)."""
    event_type = apps.get_model("communication", "CommunicationEventType")
    for code, name in EVENTS.items():
        event_type.objects.get_or_create(code=code, defaults={"name": name, "category": "User related"})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_community_event_types")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop)]
