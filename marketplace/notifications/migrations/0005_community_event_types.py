from django.db import migrations

EVENTS = {
    "SOCIAL_CONTRACT_VERSION": "A new version of the OSE Social Contract to accept (to every operator)",
    "SUPPORTER_MONTH_MISSED": "A True Fans standing-order month not received (to the supporter)",
    "SUPPORTER_UPDATE": "Updates from the storefronts a True Fan supports (a digest, to the supporter)",
}


def register(apps, schema_editor):
    """The community economy's e-mails, editable by staff beside the others (Content -> Emails)."""
    event_type = apps.get_model("communication", "CommunicationEventType")
    for code, name in EVENTS.items():
        event_type.objects.get_or_create(code=code, defaults={"name": name, "category": "User related"})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_people_event_types")]
    operations = [migrations.RunPython(register, migrations.RunPython.noop)]
