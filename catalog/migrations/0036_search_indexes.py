"""GIN indexes for full-text search on PostgreSQL (catalog.selectors.search_filter).

Each index is on exactly the expression Django's SearchVector compiles to, so the planner uses it for the ``@@``
match. SQLite (the embedded default) has no tsvector: there the selector matches words with LIKE, and this
migration does nothing.
"""

from django.db import migrations

INDEXES = {
    "catalogue_product_search": (
        "catalogue_product",
        "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B')",
    ),
    "catalogue_design_search": (
        "catalogue_design",
        "setweight(to_tsvector('english'::regconfig, COALESCE(name, '')), 'A') || "
        "setweight(to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(description, '')), 'B')",
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0035_product_digital_file")]

    operations = [migrations.RunPython(create, drop)]
