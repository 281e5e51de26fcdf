"""The six tiers of the seed, as data."""

from django.db import migrations

INFO = ["Information goods"]
APARTMENT = INFO + ["3D printers", "Plumbing fittings", "Tablets", "CNC circuit mills", "Trainable robots"]
GARAGE = APARTMENT + ["Cars", "Fuel production"]
HOMESTEAD = GARAGE + ["Houses", "Potatoes"]

TIERS = [
    # code, rank, name, levels, physical goods, category roots (None = all), requirements, description
    ("passive", 1, "Passive", (1,), False, INFO, [],
     "Background production as a sideline: podcasts, books, webinars, curricula. Automated; zero investment."),
    ("background-2", 2, "Background 2", (1, 2), True, INFO, [],
     "As Passive, plus mailing letters and packages; in-house information production, no material production."),
    ("microfactory-1", 3, "Microfactory Level 1 (apartment)", (1, 2), True, APARTMENT, ["production-training"],
     "Production anyone can run from home: 3D printers in the background, self-packaged products, parts kits."),
    ("microfactory-2", 4, "Microfactory Level 2 (garage)", (1, 2), True, GARAGE, ["production-training"],
     "The home enterprise: equipment that needs a garage, still a small enterprise for the householder."),
    ("microfactory-3", 5, "Microfactory Level 3 (homestead)", (1, 2, 3), True, HOMESTEAD,
     ["production-training", "performance-results"],
     "The homestead enterprise: land, and natural resources processed on a small scale."),
    ("campus", 6, "Campus Enterprise", (1, 2, 3), True, None, ["production-training", "performance-results"],
     "10,000 square feet and an acre: materials production from metal, plastic, organics and ceramics."),
]  # fmt: skip


def forwards(apps, schema_editor):
    Tier = apps.get_model("tiers", "Tier")
    Category = apps.get_model("catalogue", "Category")
    for code, rank, name, levels, physical, roots, requirements, description in TIERS:
        tier, _ = Tier.objects.update_or_create(
            code=code,
            defaults={
                "rank": rank, "name": name, "description": description, "physical_goods": physical,
                "sells_level_1": 1 in levels, "sells_level_2": 2 in levels, "sells_level_3": 3 in levels,
                "requirements": requirements,
            },
        )  # fmt: skip
        if roots is not None:
            tier.categories.set(Category.objects.filter(depth=1, name__in=roots))


class Migration(migrations.Migration):
    dependencies = [("tiers", "0001_initial"), ("catalogue", "0034_levels_and_goods")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
