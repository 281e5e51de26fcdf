"""An operator's updates to its True Fans supporters: written and previewed on its dashboard, sent by a worker as one
digest e-mail per supporter through Oscar's communications, to its own supporters only, once, sanitised, and with a
signed unsubscribe link that works signed out."""

import datetime
import re
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.supporters import updates
from marketplace.supporters.models import Support, SupporterUpdate, UpdateDelivery
from tests import factories

pytestmark = pytest.mark.django_db
Email = get_model("communication", "Email")
HOSTILE = (
    "Hello **fans**, the mill is *running*.\n\n<script>alert('x')</script>\n\n"
    "[our plans](https://example.com/plans) [click](javascript:alert(2))\n\n<img src=x onerror=alert(3)>"
)


def _support(user, store, *, status=Support.ACTIVE, opt_out=False, amount="10.00", **fields):
    return Support.objects.create(
        user=user, storefront=store, amount=Decimal(amount), currency="USD", method=Support.CARD, status=status,
        start_date=timezone.now().date(), updates_opt_out=opt_out, **fields,
    )  # fmt: skip


@pytest.fixture
def stores():
    """Portland (A) and Lyon (B), each with supporters in every state."""
    a = factories.storefront("Portland Passive", tier="passive", city="Portland")
    b = factories.storefront("Lyon Fab", tier="passive", city="Lyon")
    fans = {name: factories.UserFactory(email=f"{name}@example.com") for name in
            ("ada", "bob", "cat", "dan", "eve", "fay")}  # fmt: skip
    _support(fans["ada"], a)
    _support(fans["bob"], a, status=Support.PAST_DUE, amount="30.00")
    _support(fans["cat"], a, status=Support.PENDING)  # has not paid yet
    _support(fans["dan"], a, opt_out=True)  # turned updates off
    _support(fans["eve"], a, status=Support.ENDED)
    _support(fans["fay"], b)  # Lyon's, not Portland's
    return {"a": a, "b": b, "fans": fans}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send(client, capture, subject="Mill news", body="The mill is **running**.", **extra):
    with capture(execute=True):  # the commit's callbacks queue the worker's task (run in-process in tests)
        return client.post(reverse("supporters:updates"), {"subject": subject, "body": body, "send": "1", **extra},
                           follow=True)  # fmt: skip


def test_an_update_reaches_the_operator_s_own_paying_supporters_who_want_it(stores, django_capture_on_commit_callbacks):
    client = _client(stores["a"].operator)
    page = client.get(reverse("supporters:updates"))
    assert page.status_code == 200 and "Send to 2 supporters" in page.content.decode()

    page = _send(client, django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bob@example.com"]
    message = mail.outbox[0]
    assert message.subject == "Portland Passive: Mill news"
    assert "The mill is running." in message.body
    html = message.alternatives[0][0]
    assert "<strong>running</strong>" in html and "Portland Passive" in html
    assert re.fullmatch(r"<http://[^>]+/true-fans/unsubscribe/[^/]+/>", message.extra_headers["List-Unsubscribe"])
    # through Oscar's communications: in each supporter's e-mail history
    assert sorted(Email.objects.values_list("email", flat=True)) == ["ada@example.com", "bob@example.com"]
    text = page.content.decode()
    assert "is on its way to 2 supporters" in text
    assert re.search(r"Mill news</a></td>\s*<td[^>]*>Being sent</td>", text)  # the worker had not run yet
    text = client.get(reverse("supporters:updates")).content.decode()
    assert re.search(r"Mill news</a></td>\s*<td[^>]*>2 supporters</td>", text)
    assert UpdateDelivery.objects.filter(sent_at__isnull=False).count() == 2


def test_running_the_worker_again_sends_nothing_twice(stores, django_capture_on_commit_callbacks):
    _send(_client(stores["a"].operator), django_capture_on_commit_callbacks)
    update = SupporterUpdate.objects.get()
    assert len(mail.outbox) == 2

    from marketplace.supporters.tasks import send_supporter_update_task

    assert send_supporter_update_task.delay(update_id=update.pk).get() == 0
    assert updates.deliver_digest(user_id=stores["fans"]["ada"].pk) == 0
    assert len(mail.outbox) == 2 and UpdateDelivery.objects.count() == 2


def test_a_supporter_of_two_storefronts_gets_one_digest_of_what_waits(stores):
    ada = stores["fans"]["ada"]
    _support(ada, stores["b"])
    now = timezone.now()
    for store, subject in ((stores["a"], "First"), (stores["b"], "Lyon news"), (stores["a"], "Second")):
        SupporterUpdate.objects.create(storefront=store, subject=subject, body=f"{subject} body", sent_at=now)

    assert updates.deliver_digest(user_id=ada.pk) == 1
    assert updates.deliver_digest(user_id=ada.pk) == 0
    [message] = mail.outbox
    assert message.subject == "3 updates from the storefronts you support"
    assert message.body.index("Portland Passive") < message.body.index("First body") < message.body.index("Second")
    assert "Lyon news" in message.body
    assert message.body.count("/true-fans/unsubscribe/") == 3  # one per storefront, one for all


def test_a_supporter_who_joined_after_an_update_does_not_get_it(stores):
    Support.objects.update(date_created=timezone.now() - datetime.timedelta(days=1))
    update = SupporterUpdate.objects.create(storefront=stores["a"], subject="Old", body="Old news",
                                            sent_at=timezone.now() - datetime.timedelta(hours=1))  # fmt: skip
    latecomer = factories.UserFactory(email="late@example.com")
    _support(latecomer, stores["a"])
    assert updates.deliver_update(update_id=update.pk) == 2
    assert updates.deliver_digest(user_id=latecomer.pk) == 0
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bob@example.com"]


def test_markdown_is_sanitised_in_the_e_mail_the_preview_and_the_page(stores, django_capture_on_commit_callbacks):
    client = _client(stores["a"].operator)
    preview = client.post(reverse("supporters:updates"), {"subject": "<b>Hi</b>", "body": HOSTILE, "preview": "1"})
    _send(client, django_capture_on_commit_callbacks, subject="<b>Hi</b>", body=HOSTILE)
    update = SupporterUpdate.objects.get()
    detail = client.get(reverse("supporters:update-detail", args=[update.pk]))

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    shown_preview = re.search(r'id="preview-body">(.*?)</div>', preview.content.decode(), re.S)[1]
    assert "&lt;script&gt;" in preview.content.decode()  # what was typed stays in the form, as text
    for shown in (shown_preview, detail.content.decode(), html, message.body):
        assert "<script>alert" not in shown and "alert('x')" not in shown
        assert "javascript:" not in shown and "onerror" not in shown
    for shown in (detail.content.decode(), html):
        assert "<b>Hi</b>" not in shown and "&lt;b&gt;Hi&lt;/b&gt;" in shown  # the subject is text
    assert "<strong>fans</strong>" in html and 'href="https://example.com/plans"' in html
    assert "<strong>fans</strong>" in detail.content.decode() and "<strong>fans</strong>" in shown_preview
    assert preview.status_code == 200 and not SupporterUpdate.objects.exclude(pk=update.pk).exists()  # not sent


def test_no_picture_reaches_the_e_mail_so_an_operator_cannot_see_who_opened_it(
    stores, django_capture_on_commit_callbacks
):
    client = _client(stores["a"].operator)
    body = "Hello ![](https://tracker.example/p.png?u=1) and <img src=x onerror=alert(1)> **fans**"
    preview = client.post(reverse("supporters:updates"), {"subject": "News", "body": body, "preview": "1"})
    _send(client, django_capture_on_commit_callbacks, subject="News", body=body)
    detail = client.get(reverse("supporters:update-detail", args=[SupporterUpdate.objects.get().pk]))
    html = mail.outbox[0].alternatives[0][0]
    shown_preview = re.search(r'id="preview-body">(.*?)</div>', preview.content.decode(), re.S)[1]
    for shown in (html, shown_preview, detail.content.decode()):
        assert "<img" not in shown and "tracker.example" not in shown
    assert "<strong>fans</strong>" in html


def test_another_operator_s_update_is_not_found_like_a_missing_one(stores):
    theirs = SupporterUpdate.objects.create(storefront=stores["b"], subject="Lyon", body="x", sent_at=timezone.now())
    client = _client(stores["a"].operator)
    assert client.get(reverse("supporters:update-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("supporters:update-detail", args=[theirs.pk + 100])).status_code == 404
    assert "Lyon" not in client.get(reverse("supporters:updates")).content.decode()


def test_who_is_not_an_operator_is_told_so_and_anonymous_visitors_sign_in(stores):
    shopper = _client(stores["fans"]["ada"])
    page = shopper.get(reverse("supporters:updates"))
    assert page.status_code == 404 and "you do not run a storefront" in page.content.decode()
    assert shopper.post(reverse("supporters:updates"), {"subject": "x", "body": "y", "send": "1"}).status_code == 404
    anonymous = Client().get(reverse("supporters:updates"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert not SupporterUpdate.objects.exists()


@pytest.mark.parametrize(
    "subject, body, error",
    [("", "words", "This field is required."), ("   ", "words", "This field is required."),
     ("x" * 151, "words", "at most 150 characters"), ("News", "", "This field is required."),
     ("News", "y" * 10001, "at most 10000 characters")],
)  # fmt: skip
def test_an_update_needs_a_subject_and_a_body_that_fit(stores, subject, body, error):
    client = _client(stores["a"].operator)
    page = client.post(reverse("supporters:updates"), {"subject": subject, "body": body, "send": "1"})
    assert page.status_code == 400 and error in page.content.decode()
    assert not SupporterUpdate.objects.exists()


def test_no_supporter_no_update_and_three_a_day_at_most(stores, django_capture_on_commit_callbacks):
    lonely = factories.storefront("Quiet Fab", tier="passive", city="Berlin")
    page = _client(lonely.operator).post(reverse("supporters:updates"), {"subject": "Hi", "body": "x", "send": "1"})
    assert page.status_code == 400 and "No supporter receives your updates yet" in page.content.decode()

    client = _client(stores["a"].operator)
    for n in range(3):
        _send(client, django_capture_on_commit_callbacks, subject=f"News {n}")
    page = _send(client, django_capture_on_commit_callbacks, subject="One too many")
    assert "the most a day" in page.content.decode() and "send it after" in page.content.decode()
    assert SupporterUpdate.objects.filter(storefront=stores["a"]).count() == 3
    assert "One too many" in page.content.decode()  # what the operator wrote is kept on the page


def test_the_unsubscribe_link_asks_then_stops_that_storefront_s_updates_signed_out(stores):
    ada = stores["fans"]["ada"]
    _support(ada, stores["b"])
    url = reverse("supporters:unsubscribe", args=[updates.unsubscribe_token(user_id=ada.pk,
                                                                            storefront_id=stores["a"].pk)])  # fmt: skip
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200 and "Stop the update e-mails from Portland Passive?" in page.content.decode()
    assert not Support.objects.filter(user=ada, updates_opt_out=True).exists()  # a mail scanner's GET changes nothing

    assert browser.post(url).status_code == 403  # CSRF: a form post only
    page = browser.post(url, {"csrfmiddlewaretoken": page.context["csrf_token"]})
    assert page.status_code == 200 and "no more updates from Portland Passive" in page.content.decode()
    stopped = Support.objects.get(user=ada, storefront=stores["a"])
    assert stopped.updates_opt_out and stopped.unsubscribed_at
    assert not Support.objects.get(user=ada, storefront=stores["b"]).updates_opt_out

    SupporterUpdate.objects.create(storefront=stores["a"], subject="After", body="x", sent_at=timezone.now())
    assert updates.deliver_digest(user_id=ada.pk) == 0


def test_the_header_s_link_stops_every_storefront_s_updates(stores):
    ada = stores["fans"]["ada"]
    _support(ada, stores["b"])
    Client().post(reverse("supporters:unsubscribe", args=[updates.unsubscribe_token(user_id=ada.pk)]))
    assert set(Support.objects.filter(user=ada).values_list("updates_opt_out", flat=True)) == {True}


@pytest.mark.parametrize("tamper", ["flip", "cut", "forged", "garbage"])
def test_a_changed_unsubscribe_link_is_refused_in_words(stores, tamper):
    from django.core import signing

    ada = stores["fans"]["ada"]
    token = updates.unsubscribe_token(user_id=ada.pk, storefront_id=stores["a"].pk)
    token = {"flip": token[:-1] + ("A" if token[-1] != "A" else "B"), "cut": token[:-6], "garbage": "not-a-token",
             "forged": signing.dumps({"u": ada.pk}, salt="another purpose")}[tamper]  # fmt: skip
    for method in ("get", "post"):
        page = getattr(Client(), method)(reverse("supporters:unsubscribe", args=[token]))
        assert page.status_code == 400 and "not complete or was changed" in page.content.decode()
    assert not Support.objects.filter(updates_opt_out=True).exclude(user__email="dan@example.com").exists()


class SlowOutbox(locmem.EmailBackend):
    """Django's test outbox, taking a moment per e-mail (as an SMTP server does): time for a second worker to meet
    the first."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_digest(settings, seeded, real_services):
    """Row locks need PostgreSQL: ``real_services`` skips this on a laptop without it and fails it in CI."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowOutbox"
    store = factories.storefront("Portland Passive", tier="passive", city="Portland")
    fan = factories.UserFactory(email="fan@example.com")
    _support(fan, store)
    SupporterUpdate.objects.create(storefront=store, subject="News", body="x", sent_at=timezone.now())
    start, sent = threading.Barrier(2), []

    def worker():
        start.wait()
        try:
            sent.append(updates.deliver_digest(user_id=fan.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == [0, 1] and len(mail.outbox) == 1
