"""Every ISO 3166 country, for addresses and shipping: operators and shoppers are anywhere."""

import pycountry
from django.db import migrations


def add_countries(apps, schema_editor):
    Country = apps.get_model("address", "Country")
    existing = set(Country.objects.values_list("iso_3166_1_a2", flat=True))
    Country.objects.bulk_create(
        Country(
            iso_3166_1_a2=country.alpha_2,
            iso_3166_1_a3=country.alpha_3,
            iso_3166_1_numeric=country.numeric,
            printable_name=country.name,
            name=getattr(country, "official_name", ""),
            is_shipping_country=True,
        )
        for country in pycountry.countries
        if country.alpha_2 not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("address", "0001_initial")]

    operations = [migrations.RunPython(add_countries, migrations.RunPython.noop)]
