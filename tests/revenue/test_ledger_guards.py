"""The database guards the ledger: posted rows are never updated or deleted, whoever asks, and (on PostgreSQL) an
unbalanced entry is refused at commit. ``verify_ledger`` recomputes everything from the postings."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from marketplace.revenue.models import Account, JournalEntry, Posting
from tests import factories


@pytest.fixture
def booked(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    return JournalEntry.objects.get(order=order)


@pytest.mark.services
@pytest.mark.django_db
def test_posted_rows_cannot_be_changed_or_deleted(booked):
    posting = booked.postings.first()
    for attempt in (
        lambda: Posting.objects.filter(pk=posting.pk).update(amount=Decimal("1.00")),
        lambda: Posting.objects.filter(pk=posting.pk).delete(),
        lambda: JournalEntry.objects.filter(pk=booked.pk).update(memo="edited"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE revenue_posting SET amount = 0 WHERE id = %s", [posting.pk])
    assert Posting.objects.get(pk=posting.pk).amount == posting.amount


@pytest.mark.django_db
def test_verify_ledger_finds_no_drift_in_a_consistent_ledger(booked, capsys):
    call_command("verify_ledger")
    assert "zero drift" in capsys.readouterr().out


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_an_unbalanced_entry_at_commit(seeded):
    clearing = Account.objects.get(kind=Account.CLEARING)
    fund = Account.objects.get(kind=Account.CAMPUS_FUND)
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        entry = JournalEntry.objects.create(reference="correction:test", kind=JournalEntry.CORRECTION,
                                            amount=Decimal("10.00"))  # fmt: skip
        Posting.objects.create(entry=entry, account=clearing, amount=Decimal("-10.00"))
        Posting.objects.create(entry=entry, account=fund, amount=Decimal("9.99"))
    assert not JournalEntry.objects.filter(reference="correction:test").exists()
    with transaction.atomic():  # a balanced one is fine
        entry = JournalEntry.objects.create(reference="correction:ok", kind=JournalEntry.CORRECTION,
                                            amount=Decimal("10.00"))  # fmt: skip
        Posting.objects.create(entry=entry, account=clearing, amount=Decimal("-10.00"))
        Posting.objects.create(entry=entry, account=fund, amount=Decimal("10.00"))
    assert JournalEntry.objects.filter(reference="correction:ok").exists()
