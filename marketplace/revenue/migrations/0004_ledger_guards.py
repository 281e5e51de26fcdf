"""PostgreSQL, the production database, guards the ledger itself: posted rows cannot be updated or deleted, whoever
asks (the admin, the ORM or raw SQL from the application's role), and an entry whose postings do not sum to zero is
refused when its transaction commits. (The embedded SQLite default relies on the models and services alone: its test
runs flush tables with DELETE, which such triggers would refuse.)"""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION revenue_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % is refused; book a correcting entry', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER revenue_posting_append_only BEFORE UPDATE OR DELETE ON revenue_posting
        FOR EACH ROW EXECUTE FUNCTION revenue_refuse_change();
    """,
    """
    CREATE TRIGGER revenue_journalentry_append_only BEFORE UPDATE OR DELETE ON revenue_journalentry
        FOR EACH ROW EXECUTE FUNCTION revenue_refuse_change();
    """,
    """
    CREATE OR REPLACE FUNCTION revenue_check_balanced() RETURNS trigger AS $$
    DECLARE total numeric;
    BEGIN
        SELECT COALESCE(SUM(amount), 0) INTO total FROM revenue_posting WHERE entry_id = NEW.entry_id;
        IF total <> 0 THEN
            RAISE EXCEPTION 'journal entry % does not balance (postings sum to %)', NEW.entry_id, total
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER revenue_posting_balanced AFTER INSERT ON revenue_posting
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION revenue_check_balanced();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS revenue_posting_balanced ON revenue_posting;",
    "DROP FUNCTION IF EXISTS revenue_check_balanced();",
    "DROP TRIGGER IF EXISTS revenue_journalentry_append_only ON revenue_journalentry;",
    "DROP TRIGGER IF EXISTS revenue_posting_append_only ON revenue_posting;",
    "DROP FUNCTION IF EXISTS revenue_refuse_change();",
]
def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, None)  # no parameters: the % in the SQL is literal

    return run


class Migration(migrations.Migration):
    dependencies = [("revenue", "0003_journal_value_date")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES}),
            _run({"postgresql": POSTGRES_REVERSE}),
        )
    ]
