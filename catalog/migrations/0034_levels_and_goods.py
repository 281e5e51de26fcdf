"""Data: one product class per kind of level offer, and the seed's categories of goods.

Categories are treebeard materialised-path nodes; historical models have no treebeard methods, so the paths
(4 characters a step, base 36, as treebeard's MP_Node writes them) are computed here.
"""

from django.db import migrations
from django.utils.text import slugify

PRODUCT_CLASSES = [
    # (slug, name, level, requires_shipping, track_stock)
    ("level-1-physical", "Level 1 · Physical product", 1, True, True),
    ("level-1-digital", "Level 1 · Digital product", 1, False, False),
    ("level-2-training", "Level 2 · Production training", 2, False, True),
    ("level-2-microfactory", "Level 2 · Microfactory (kit + training)", 2, True, True),
    ("level-3-licence", "Level 3 · Distribution licence", 3, False, False),
]

GOODS = [
    "Cars", "Houses", "3D printers", "Plumbing fittings", "Potatoes", "Tablets", "CNC circuit mills",
    "Trainable robots", "PV panel production", "Fuel production",
]  # fmt: skip
INFORMATION_GOODS = ("Information goods", ["Books", "Webinars", "Curricula"])

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def _step(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def _add_child(Category, parent, name):
    siblings = Category.objects.filter(depth=(parent.depth + 1) if parent else 1)
    if parent:
        siblings = siblings.filter(path__startswith=parent.path)
    existing = siblings.filter(name=name).first()
    if existing:
        return existing
    last = siblings.order_by("-path").values_list("path", flat=True).first()
    number = int(last[-STEPLEN:], 36) + 1 if last else 1
    node = Category.objects.create(
        name=name,
        slug=slugify(name),
        path=(parent.path if parent else "") + _step(number),
        depth=(parent.depth + 1) if parent else 1,
        numchild=0,
        is_public=True,
        ancestors_are_public=True,
    )
    if parent:
        Category.objects.filter(pk=parent.pk).update(numchild=siblings.count())
        parent.refresh_from_db()
    return node


def forwards(apps, schema_editor):
    ProductClass = apps.get_model("catalogue", "ProductClass")
    for slug, name, level, requires_shipping, track_stock in PRODUCT_CLASSES:
        ProductClass.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "level": level, "requires_shipping": requires_shipping, "track_stock": track_stock},
        )
    Category = apps.get_model("catalogue", "Category")
    for name in GOODS:
        _add_child(Category, None, name)
    parent = _add_child(Category, None, INFORMATION_GOODS[0])
    for name in INFORMATION_GOODS[1]:
        _add_child(Category, parent, name)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0033_designs_levels_standards")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
