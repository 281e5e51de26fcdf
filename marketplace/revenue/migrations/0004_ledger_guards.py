"""The database itself guards the ledger: posted rows cannot be updated or deleted, whoever asks (the admin, the
ORM or raw SQL from the application's role), and on PostgreSQL an entry whose postings do not sum to zero is
refused when its transaction commits."""

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
SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS revenue_{table}_no_{op.lower()} BEFORE {op} ON revenue_{table}
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: book a correcting entry'); END;
    """
    for table in ("posting", "journalentry")
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS revenue_{table}_no_{op.lower()};"
    for table in ("posting", "journalentry")
    for op in ("UPDATE", "DELETE")
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
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
