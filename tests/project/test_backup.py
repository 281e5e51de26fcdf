"""Backups: a dump of a shop with money in its ledger restores into a fresh database with every account balance
unchanged (PostgreSQL through pg_dump/pg_restore; the embedded SQLite through its backup API)."""

import sqlite3
import uuid
from decimal import Decimal

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from marketplace.revenue.models import Posting
from tests import factories

BALANCES = "SELECT account_id, SUM(amount) FROM revenue_posting GROUP BY account_id ORDER BY account_id"


def _a_shop_with_money(two_operators, capture) -> dict:
    order = factories.checkout([two_operators["printer"], two_operators["licence"]], capture=capture)
    factories.pay_offline(order, capture=capture)
    balances = dict(Posting.objects.values_list("account").annotate(total=Sum("amount")).order_by("account"))
    assert len(balances) >= 4 and sum(balances.values()) == 0  # operators, funds and clearing; double entry
    return balances


def _read(cursor) -> list:
    with cursor:
        cursor.execute(BALANCES)
        return cursor.fetchall()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_postgres_dump_restores_into_a_fresh_database_with_the_same_ledger_balances(
    seeded, two_operators, django_capture_on_commit_callbacks, tmp_path
):
    # given a shop whose ledger holds a paid order's allocation, committed
    before = _a_shop_with_money(two_operators, django_capture_on_commit_callbacks)
    db = connection.settings_dict
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    if db["PASSWORD"]:
        server["password"] = db["PASSWORD"]

    # when it is dumped (pg_dump, custom format) and restored into a database made for it
    dump = tmp_path / "shop.dump"
    call_command("backup_db", str(dump))
    assert dump.read_bytes().startswith(b"PGDMP")
    fresh = f"restore_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        auth = f"{server['user']}:{server['password']}" if "password" in server else server["user"]
        call_command("restore_db", str(dump), "--no-input",
                     database_url=f"postgres://{auth}@{server['host']}:{server['port']}/{fresh}")  # fmt: skip

        # then every account's balance, read straight from each database, is the same
        restored = psycopg2.connect(dbname=fresh, **server)
        try:
            after = dict(_read(restored.cursor()))
        finally:
            restored.close()
        original = psycopg2.connect(dbname=db["NAME"], **server)
        try:
            assert after == dict(_read(original.cursor())) == before
        finally:
            original.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


# committed (transaction=True): SQLite's backup cannot read a transaction still open
@pytest.mark.django_db(transaction=True)
def test_the_embedded_sqlite_database_backs_up_and_restores_with_the_same_ledger_balances(
    seeded, two_operators, django_capture_on_commit_callbacks, tmp_path, request
):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's backup (this run uses PostgreSQL: see the test above)")
    before = _a_shop_with_money(two_operators, django_capture_on_commit_callbacks)

    backup = tmp_path / "shop.sqlite3"
    call_command("backup_db", str(backup))
    restored = tmp_path / "restored.sqlite3"
    call_command("restore_db", str(backup), "--no-input", database_url=f"sqlite:///{restored}")

    after = {}
    database = sqlite3.connect(restored)
    try:  # SQLite keeps decimals as numbers of its own: add them up exactly here
        for account, amount in database.execute("SELECT account_id, amount FROM revenue_posting"):
            after[account] = after.get(account, Decimal("0")) + Decimal(str(amount))
    finally:
        database.close()
    assert after == before


def test_restoring_asks_first_and_names_a_missing_backup(tmp_path, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(Exception, match="Restore cancelled"):
        call_command("restore_db", str(tmp_path / "x.dump"))
    with pytest.raises(Exception, match="No backup at"):
        call_command("restore_db", str(tmp_path / "x.dump"), "--no-input")
