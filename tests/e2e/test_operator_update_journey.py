"""An operator tells its True Fans what their months pay for: from its dashboard's menu it opens Updates to
supporters, writes an update in Markdown, previews it, sends it, and sees it listed as sent to its two paying
supporters; each gets the digest e-mail (the one who turned updates off and another storefront's supporter do not),
and a supporter stops the updates from the e-mail's link, signed out."""

import re
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.supporters.models import Support
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _support(user, store, status=Support.ACTIVE, **fields):
    return Support.objects.create(user=user, storefront=store, amount=Decimal("20.00"), currency="USD",
                                  method=Support.CARD, status=status, start_date=timezone.now().date(),
                                  **fields)  # fmt: skip


def test_an_operator_writes_previews_and_sends_an_update_to_its_supporters(journey):
    # given Portland Passive with two paying supporters, one who turned updates off, and Lyon's supporter
    journey = journey("operator-update")
    portland = factories.storefront("Portland Passive", tier="passive", city="Portland")
    lyon = factories.storefront("Lyon Fab", tier="passive", city="Lyon")
    ada, bob, dan, fay = (factories.UserFactory(email=f"{name}@example.com") for name in ("ada", "bob", "dan", "fay"))
    _support(ada, portland)
    _support(bob, portland, status=Support.ENDING)  # cancelled, still running to the end of the month paid
    _support(dan, portland, updates_opt_out=True)
    _support(fay, lyon)

    # when the operator opens Updates to supporters from its dashboard's menu
    operator = journey.person(portland.operator.email)
    operator.goto("/dashboard/")
    operator.get_by_role("button", name=re.compile("My storefront")).or_(
        operator.get_by_role("link", name=re.compile("My storefront"))
    ).first.click()
    operator.get_by_role("link", name="Updates to supporters").click()
    expect(operator.locator("h1")).to_contain_text("Updates to supporters")
    expect(operator.locator("#no-updates")).to_be_visible()
    expect(operator.locator("#send-update")).to_have_text("Send to 2 supporters")

    # and writes an update, with a script someone pasted in, and previews it
    operator.get_by_label("Subject").fill("The CNC mill runs")
    operator.get_by_label("Your update").fill(
        "Thanks to you the **CNC mill** cuts its first parts.\n\n- 40 hours of tests\n- [the build log]"
        "(https://example.com/log)\n\n<script>document.title='owned'</script>"
    )
    operator.get_by_role("button", name="Preview").click()
    preview = operator.locator("#preview-body")
    expect(preview.locator("strong")).to_have_text("CNC mill")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview).not_to_contain_text("document.title")
    assert operator.title() != "owned"
    expect(operator.get_by_label("Subject")).to_have_value("The CNC mill runs")  # what was written stays
    journey.screenshot(operator, "01-preview", phone=True)

    # then sends it, and sees it listed as sent to its two supporters
    operator.locator("#send-update").click()
    expect(operator.locator(".alert-success")).to_contain_text("is on its way to 2 supporters")
    row = operator.locator("#sent-updates .sent-update", has_text="The CNC mill runs")
    expect(row.locator(".reached")).to_have_text(re.compile("Being sent|2 supporters"))
    operator.reload()
    expect(row.locator(".reached")).to_have_text("2 supporters")
    journey.screenshot(operator, "02-sent", phone=True)

    # and each paying supporter who wants updates has the digest e-mail; no one else does
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "bob@example.com"]
    message = next(message for message in mail.outbox if message.to == ["ada@example.com"])
    assert message.subject == "Portland Passive: The CNC mill runs"
    html = message.alternatives[0][0]
    assert "<strong>CNC mill</strong>" in html and "<script" not in html and "document.title" not in message.body

    # when Ada opens the e-mail's link to stop Portland's updates, signed out, and confirms
    link = re.search(r"No more updates from Portland Passive: (\S+)", message.body)[1]
    supporter = journey.person()
    supporter.goto(urlparse(link).path)  # the e-mail's link, on this test's server
    expect(supporter.locator("#unsubscribe-question")).to_contain_text("Portland Passive")
    journey.screenshot(supporter, "03-unsubscribe", phone=True)
    supporter.get_by_role("button", name="Stop the updates").click()
    expect(supporter.locator("#unsubscribed")).to_contain_text("no more updates from Portland Passive")
    journey.screenshot(supporter, "04-unsubscribed", phone=True)
    assert Support.objects.get(user=ada).updates_opt_out
    # then the operator's page counts one supporter fewer
    operator.reload()
    expect(operator.locator("#send-update")).to_have_text("Send to 1 supporter")
