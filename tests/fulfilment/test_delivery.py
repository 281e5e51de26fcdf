"""Each level is delivered by its own kind of fulfilment; every delivery can run twice and creates nothing twice."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment import delivery
from marketplace.fulfilment.models import DistributionLicence, Enrolment, LineFulfilment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def licensed(two_operators, django_capture_on_commit_callbacks):
    shopper = factories.UserFactory(email="licensee@example.com", first_name="Grace", last_name="Hopper")
    client = Client()
    client.force_login(shopper)
    order = factories.checkout([two_operators["licence"]], capture=django_capture_on_commit_callbacks, client=client)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    return client, DistributionLicence.objects.get(line__order=order)


def test_a_licence_is_issued_signed_and_verifiable(licensed):
    client, licence = licensed
    assert licence.licensee == "Grace Hopper" and licence.design.name == "CNC mill"
    assert "24 months worldwide, up to 1000 units" in licence.terms
    page = Client().get(reverse("fulfilment:licence", kwargs={"number": licence.number}))
    assert page.status_code == 200 and "GENUINE" in page.content.decode() and "Grace Hopper" in page.content.decode()

    pdf = client.get(reverse("fulfilment:licence-pdf", kwargs={"number": licence.number}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1000
    stranger = Client()
    stranger.force_login(factories.UserFactory())
    assert stranger.get(reverse("fulfilment:licence-pdf", kwargs={"number": licence.number})).status_code == 403


def test_unknown_and_tampered_licence_numbers_are_told_apart(licensed):
    _, licence = licensed
    line_id = int(licence.number.split("-")[2])
    unknown = delivery.licence_number(line_id + 1000)  # a well-formed number we never issued
    forged = licence.number[:-1] + ("0" if licence.number[-1] != "0" else "1")  # a changed check code
    for number, status, words in ((unknown, 404, "UNKNOWN"), ("OSE-L-nonsense", 404, "UNKNOWN"),
                                  (forged, 400, "NOT GENUINE")):  # fmt: skip
        page = Client().get(reverse("fulfilment:licence", kwargs={"number": number}))
        assert (page.status_code, words in page.content.decode()) == (status, True), number

    # Someone edits the stored terms: the record no longer matches its signature.
    DistributionLicence.objects.filter(pk=licence.pk).update(terms="Unlimited, forever")
    page = Client().get(reverse("fulfilment:licence", kwargs={"number": licence.number}))
    assert page.status_code == 400 and "NOT GENUINE" in page.content.decode()


def test_fulfilling_a_line_twice_issues_one_licence_and_one_email(licensed):
    _, licence = licensed
    mail.outbox.clear()
    delivery.fulfil_line(line_id=licence.line_id)
    assert DistributionLicence.objects.count() == 1 and mail.outbox == []


def test_training_seats_are_enrolled_once(two_operators, django_capture_on_commit_callbacks):
    training = factories.level_product(factories.design(name="CEB press"), 2, title="CEB press training")
    training.stockrecords.all().delete()
    seats = factories.offer(two_operators["berlin"], training, price="300.00", stock=10)
    order = factories.checkout([seats], capture=django_capture_on_commit_callbacks, quantities={seats.pk: 3})
    mail.outbox.clear()
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    line = order.lines.get()
    assert list(Enrolment.objects.filter(line=line).values_list("seat", flat=True)) == [1, 2, 3]
    assert line.fulfilment.state == LineFulfilment.DONE
    assert sum(m.subject == "Your seats: CEB press training" for m in mail.outbox) == 1
    seats.refresh_from_db()
    assert seats.num_allocated == 3  # seats are the training's stock

    LineFulfilment.objects.filter(line=line).update(state=LineFulfilment.PENDING)  # as if a retry came late
    delivery.fulfil_line(line_id=line.pk)
    assert Enrolment.objects.filter(line=line).count() == 3
    assert sum(m.subject == "Your seats: CEB press training" for m in mail.outbox) == 1


@pytest.fixture
def ebook(two_operators, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    from catalog.models import Product, ProductClass

    design = factories.design(name="Microfactory handbook", category_name="Books")
    product = Product.objects.create(title="Microfactory handbook (PDF)", design=design, is_public=True,
                                     product_class=ProductClass.objects.get(slug="level-1-digital"))  # fmt: skip
    product.digital_file.save("handbook.pdf", ContentFile(b"%PDF-1.4 the handbook"))
    return factories.offer(two_operators["berlin"], product, price="12.00", stock=None)


def test_a_digital_good_is_delivered_by_a_signed_expiring_link(ebook, settings, django_capture_on_commit_callbacks):
    order = factories.checkout([ebook], capture=django_capture_on_commit_callbacks)
    assert order.shipping_incl_tax == Decimal("0.00")  # nothing to ship, no shipping charge
    mail.outbox.clear()
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    [message] = [m for m in mail.outbox if m.subject.startswith("Your download")]
    link = next(word for word in message.body.split() if "/downloads/" in word)
    path = link[link.index("/downloads/") :]

    download = Client().get(path)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 the handbook"
    assert "attachment" in download["Content-Disposition"]

    assert Client().get(path.replace("/downloads/", "/downloads/x")).status_code == 410  # forged
    settings.DOWNLOAD_LINK_MAX_AGE = -1
    assert Client().get(path).status_code == 410  # expired
    assert settings.MEDIA_URL.rstrip("/") not in path


def test_a_delivery_that_fails_is_visible_to_staff(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["licence"]], capture=django_capture_on_commit_callbacks)
    line = order.lines.get()
    type(line.product).objects.filter(pk=line.product_id).update(design=None)  # bad data: a licence of nothing
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)  # the payment itself stands
    assert order.status == "Paid"
    failed = LineFulfilment.objects.get(line=line)
    assert failed.state == LineFulfilment.FAILED and failed.error
    admin = Client()
    admin.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = admin.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    assert "fulfilment-error" in page


def test_an_order_marked_paid_without_its_payment_is_not_delivered(two_operators, django_capture_on_commit_callbacks):
    from marketplace.fulfilment.tasks import fulfil_missed_lines_task, fulfil_order_task

    # given an unpaid order whose status was set to Paid by hand (no payment confirmed, its part awaits payment)
    order = factories.checkout([two_operators["licence"]], capture=django_capture_on_commit_callbacks)
    order.set_status("Paid")
    mail.outbox.clear()
    # when the fulfilment task and the sweep run
    fulfil_order_task(order_id=order.pk)
    swept = fulfil_missed_lines_task()
    # then nothing is delivered: no licence, no e-mail to the shopper or the operator
    assert swept == 0
    assert not DistributionLicence.objects.filter(line__order=order).exists()
    assert not LineFulfilment.objects.filter(line__order=order).exists()
    assert mail.outbox == []

    # and once the transfer is confirmed, it is
    type(order).objects.filter(pk=order.pk).update(status="Pending")  # Oscar's pipeline has no way back from Paid
    order.refresh_from_db()
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    assert DistributionLicence.objects.filter(line__order=order).exists()


def test_a_licence_page_never_shows_the_licensees_email(two_operators, django_capture_on_commit_callbacks):
    # a guest's licence (nothing to ship: no address, no account, so no name) names the guest by e-mail
    order = factories.checkout([two_operators["licence"]], capture=django_capture_on_commit_callbacks,
                               email="grace.private@example.com")  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    licence = DistributionLicence.objects.get(line__order=order)
    assert licence.licensee == "grace.private@example.com"

    page = Client().get(reverse("fulfilment:licence", kwargs={"number": licence.number}))

    assert page.status_code == 200 and "GENUINE" in page.content.decode()
    assert "grace.private" not in page.content.decode() and "g…@example.com" in page.content.decode()


def test_the_order_page_gives_the_download_and_a_full_refund_closes_it(
    ebook, two_operators, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from marketplace.fulfilment import refunds

    shopper = Client()
    shopper.force_login(factories.UserFactory(email="reader@example.com"))
    order = factories.checkout([ebook], capture=django_capture_on_commit_callbacks, client=shopper)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    order_page = reverse("customer:order", kwargs={"order_number": order.number})
    page = shopper.get(order_page).content.decode()
    link = page.split('class="download"><a class="btn btn-sm btn-primary" href="', 1)[1].split('"', 1)[0]
    assert b"".join(Client().get(link).streaming_content) == b"%PDF-1.4 the handbook"
    assert "link works until" in page

    # the shopper asks for the link again: one e-mail, and no second within the hour
    line = order.lines.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = shopper.post(reverse("fulfilment:resend-download", kwargs={"pk": line.pk}), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = shopper.post(reverse("fulfilment:resend-download", kwargs={"pk": line.pk}), follow=True)
    assert "A fresh download link is on its way to reader@example.com" in sent.content.decode()
    assert "We sent the link within the last hour" in again.content.decode()
    assert [m.subject for m in mail.outbox] == ["Your download: Microfactory handbook (PDF)"]
    stranger = Client()
    stranger.force_login(factories.UserFactory(email="stranger@example.com"))
    assert stranger.post(reverse("fulfilment:resend-download", kwargs={"pk": line.pk})).status_code == 404

    # refunded in full, the download closes: on the order page and through any link sent before
    with django_capture_on_commit_callbacks(execute=True):
        refunds.request_refund(part_id=order.operator_orders.get().pk, actor=two_operators["berlin"].operator,
                               amounts={line.pk: Decimal("12.00")}, reason="Wrong edition")  # fmt: skip
    assert "Refunded: the download is closed." in shopper.get(order_page).content.decode()
    closed = Client().get(link)
    assert closed.status_code == 410 and "This download was refunded" in closed.content.decode()
