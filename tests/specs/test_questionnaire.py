"""Answering the questionnaire: only a design's contributors and staff answer; the design page shows the score,
the version, who answered and when, the 50 % flag and the breakdown, with every note escaped."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from certification.models import Contribution
from marketplace.specs.admin import QuestionSetAdmin
from marketplace.specs.models import GROUPS, Answer, DesignScore, QuestionSet
from tests import factories
from tests.reliability.hostile.html import form_data
from tests.specs.conftest import answers_form, codes

pytestmark = pytest.mark.django_db


def _url(design):
    return reverse("specs:answer", kwargs={"slug": design.slug})


def test_version_one_has_45_questions_in_the_15_groups(v1):
    assert v1.questions.count() == 45 and v1.published is not None
    assert {q.group for q in v1.questions.all()} == {code for code, _ in GROUPS}
    assert len(GROUPS) == 15


def test_a_contributor_answers_and_the_design_page_shows_the_score(client, press, contributor, v1):
    client.force_login(contributor)
    page = client.get(_url(press)).content.decode()
    assert "0 of 45 answered" in page and page.count('type="radio"') == 45 * 4
    all_codes = codes(v1)
    values = dict.fromkeys(all_codes[:30], "yes") | dict.fromkeys(all_codes[30:36], "partial")
    response = client.post(_url(press), answers_form(v1, values, {"ES1": "Shelter for everyone."}))
    assert response.status_code == 302 and response["Location"].endswith("#specifications")

    score = DesignScore.objects.get(design=press)
    assert (score.score, score.answered, score.questions, score.question_set) == (Decimal("73.33"), 36, 45, v1)
    html = client.get(press.get_absolute_url()).content.decode()
    section = html.split('id="specifications"')[1].split("</section>")[0]
    assert "73.3 %" in section and "High relevance to OSE goals" in section
    assert "Version 1 of the questions · 36 of 45 answered." in section
    assert "Questions not answered yet count as nothing" in section
    assert "Wendy Welder (36 answers" in section and timezone.localdate().strftime("%-d %b %Y") in section
    assert "Shelter for everyone." in section
    assert section.count('class="fund-chart-row"') == 15  # the per-group chart
    assert "Economic significance" in section and "100.0 %" in section


def test_a_low_score_is_flagged_below_the_fifty_percent(client, press, contributor, v1):
    client.force_login(contributor)
    client.post(_url(press), answers_form(v1, dict.fromkeys(codes(v1)[:40], "no") | {"EA3": "yes"}))
    section = client.get(press.get_absolute_url()).content.decode().split('id="specifications"')[1]
    assert "2.2 %" in section and "Below the 50 % of high relevance" in section
    assert "High relevance to OSE goals" not in section


def test_a_design_not_answered_says_not_scored_yet_and_links_the_questionnaire(client, press):
    html = client.get(press.get_absolute_url()).content.decode()
    assert "Not scored yet" in html
    assert f'href="{_url(press)}"' in html and "Answer the questionnaire" in html


def test_someone_who_did_not_contribute_is_told_who_may_answer_and_how_to_become_a_contributor(client, press, v1):
    shopper = factories.UserFactory(email="curious@example.com")
    client.force_login(shopper)
    for response in (client.get(_url(press)), client.post(_url(press), answers_form(v1, {"ES1": "yes"}))):
        assert response.status_code == 403
        html = response.content.decode()
        assert "Only people whose contribution to CEB press was accepted, and the shop's staff" in html
        assert reverse("certification:contribute", kwargs={"slug": press.slug}) in html
        assert "waiting for a certifier" not in html
    assert not Answer.objects.exists() and not DesignScore.objects.exists()


def test_a_pending_or_rejected_contribution_is_not_enough(client, press, v1):
    user = factories.UserFactory(email="hopeful@example.com")
    for status in (Contribution.PENDING, Contribution.REJECTED):
        Contribution.objects.create(design=press, design_version="1.0", author=user, kind="testing",
                                    description="Tests", status=status)  # fmt: skip
    client.force_login(user)
    response = client.post(_url(press), answers_form(v1, {"ES1": "yes"}))
    assert response.status_code == 403 and "waiting for a certifier" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_contributor_to_another_design_may_not_answer_for_this_one(client, press, contributor, v1):
    other = factories.design(name="Power Cube", category_name="Power")
    client.force_login(contributor)
    assert client.post(_url(other), answers_form(v1, {"ES1": "yes"})).status_code == 403
    assert not Answer.objects.filter(design=other).exists()


def test_staff_may_answer(client, press, v1):
    client.force_login(factories.UserFactory(email="staff@example.com", is_staff=True))
    assert client.post(_url(press), answers_form(v1, {"ES1": "yes"})).status_code == 302
    assert DesignScore.objects.get(design=press).answered == 1


def test_anonymous_visitors_sign_in_first_and_an_unknown_design_is_not_found(client, press, contributor):
    response = client.get(_url(press))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(contributor)
    assert client.get(reverse("specs:answer", kwargs={"slug": "no-such-design"})).status_code == 404
    assert client.post(reverse("specs:answer", kwargs={"slug": "no-such-design"}), {}).status_code == 404


@pytest.mark.parametrize("value", ["maybe", "1", "-1", "1000000000", "1.5", "<script>"])
def test_an_answer_other_than_yes_partly_or_no_is_refused_and_nothing_is_saved(client, press, contributor, v1, value):
    client.force_login(contributor)
    response = client.post(_url(press), answers_form(v1, {"ES1": "yes", "ES2": value}))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_note_without_an_answer_is_refused_with_what_to_do(client, press, contributor, v1):
    client.force_login(contributor)
    response = client.post(_url(press), answers_form(v1, {}, {"ES1": "Why?"}))
    assert "Answer yes, partly or no to keep the note, or clear the note." in response.content.decode()
    assert not Answer.objects.exists()


def test_a_note_longer_than_a_thousand_characters_is_refused(client, press, contributor, v1):
    client.force_login(contributor)
    response = client.post(_url(press), answers_form(v1, {"ES1": "yes"}, {"ES1": "x" * 1001}))
    assert response.status_code == 200 and not Answer.objects.exists()


def test_notes_are_shown_as_text_never_as_html(client, press, contributor, v1):
    client.force_login(contributor)
    client.post(_url(press), answers_form(v1, {"ES1": "yes"}, {"ES1": "<script>alert(1)</script><b>bold</b>"}))
    client.logout()
    html = client.get(press.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html


def test_answering_again_changes_only_what_changed_and_keeps_who_gave_the_rest(client, press, contributor, v1):
    client.force_login(contributor)
    client.post(_url(press), answers_form(v1, {"ES1": "yes", "ES2": "no", "DE1": "partial"}))
    staff = factories.UserFactory(email="staff@example.com", is_staff=True)
    client.force_login(staff)
    page = client.get(_url(press)).content.decode()
    assert "3 of 45 answered" in page and 'value="yes" class="form-check-input" id' in page  # prefilled
    # staff change one answer and take one back; the third stays the contributor's
    response = client.post(_url(press), answers_form(v1, {"ES1": "yes", "ES2": "yes"}), follow=True)
    assert "2 answers saved" in response.content.decode()
    by = dict(Answer.objects.values_list("question__code", "answered_by__email"))
    assert by == {"ES1": "welder@example.com", "ES2": "staff@example.com"}
    assert DesignScore.objects.get(design=press).answered == 2
    # the same answers once more change nothing
    response = client.post(_url(press), answers_form(v1, {"ES1": "yes", "ES2": "yes"}), follow=True)
    assert "Nothing changed" in response.content.decode()


def test_taking_back_every_answer_leaves_the_design_not_scored(client, press, contributor, v1):
    client.force_login(contributor)
    client.post(_url(press), answers_form(v1, {"ES1": "yes"}))
    client.post(_url(press), answers_form(v1, {}))
    assert not DesignScore.objects.exists()
    assert "Not scored yet" in client.get(press.get_absolute_url()).content.decode()


def test_a_new_answer_retires_the_cached_design_page(client, press, contributor, v1):
    assert "Not scored yet" in client.get(press.get_absolute_url()).content.decode()  # stored for everyone
    other = factories.UserFactory(email="x@example.com")
    other_client = type(client)()
    other_client.force_login(contributor)
    other_client.post(_url(press), answers_form(v1, dict.fromkeys(codes(v1), "yes")))
    html = client.get(press.get_absolute_url()).content.decode()
    assert "100.0 %" in html and "Not scored yet" not in html
    assert other.pk


def test_a_new_version_is_a_draft_copy_and_answers_stay_with_the_version_they_answered(client, press, contributor,
                                                                                        v1, admin_user):  # fmt: skip
    client.force_login(contributor)
    client.post(_url(press), answers_form(v1, dict.fromkeys(codes(v1), "yes")))
    # staff: "new version from this one"
    request = RequestFactory().post("/admin/specs/questionset/")
    request.user = admin_user
    request._messages = type("Messages", (), {"add": lambda *args, **kwargs: None})()
    QuestionSetAdmin(QuestionSet, admin.site).new_version(request, QuestionSet.objects.filter(pk=v1.pk))
    v2 = QuestionSet.objects.get(version=2)
    assert v2.published is None and v2.based_on == v1 and codes(v2) == codes(v1)
    assert not Answer.objects.filter(question__question_set=v2).exists()
    # a draft is not answered yet: the questionnaire is still v1's
    assert 'name="version" value="1"' in client.get(_url(press)).content.decode()
    v2.published = timezone.localdate()
    v2.save()
    html = client.get(press.get_absolute_url()).content.decode()
    assert "100.0 %" in html and "Scored on version 1; version 2 of the questions is out" in html
    # someone still answering v1's form is told, and nothing is saved
    response = client.post(_url(press), answers_form(v1, {"ES1": "no"}), follow=True)
    assert "Version 2 of the questions was published while you answered an older one" in response.content.decode()
    assert Answer.objects.filter(question__question_set=v1, value="yes").count() == 45
    # answering v2 scores the design on v2
    client.post(_url(press), answers_form(v2, {"ES1": "yes"}))
    score = DesignScore.objects.get(design=press)
    assert (score.question_set, score.answered) == (v2, 1)
    assert Answer.objects.filter(question__question_set=v1).count() == 45


def test_editing_a_versions_questions_in_the_admin_scores_its_designs_again(client, press, contributor, v1,
                                                                            admin_user):  # fmt: skip
    client.force_login(contributor)
    client.post(_url(press), answers_form(v1, dict.fromkeys(codes(v1), "yes")))
    admin_client = type(client)()
    admin_client.force_login(admin_user)
    change = reverse("admin:specs_questionset_change", args=[v1.pk])
    data = form_data(admin_client.get(change).content.decode(), form_id="questionset_form")
    # staff add a 46th question in the inline's empty row
    total = int(data["questions-TOTAL_FORMS"])
    data.update({"questions-TOTAL_FORMS": total + 1, f"questions-{total}-order": 99, f"questions-{total}-code": "EC9",
                 f"questions-{total}-group": "ecology", f"questions-{total}-text": "Is it compostable?",
                 f"questions-{total}-question_set": v1.pk})  # fmt: skip
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    score = DesignScore.objects.get(design=press)
    assert (score.answered, score.questions, score.score) == (45, 46, Decimal("97.83"))
