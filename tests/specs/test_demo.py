"""The demo's Specifications answers: three designs, around 80 %, around 55 % and below 50 %, loaded once."""

from decimal import Decimal

import pytest

from marketplace.demo import load_demo
from marketplace.specs.models import Answer, DesignScore

pytestmark = pytest.mark.django_db


def test_the_demo_scores_three_designs_and_loading_it_again_adds_nothing(client):
    load_demo(report=lambda line: None)
    scores = dict(DesignScore.objects.values_list("design__slug", "score"))
    assert scores == {"d3d-printer": Decimal("80.00"), "ceb-press": Decimal("55.56"), "power-cube": Decimal("31.11")}
    answers = Answer.objects.count()
    load_demo(report=lambda line: None)
    assert Answer.objects.count() == answers
    html = client.get("/designs/d3d-printer/").content.decode()
    assert "80.0 %" in html and "High relevance to OSE goals" in html and "43 of 45 answered" in html
