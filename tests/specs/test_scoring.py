"""The Specifications Metric's score: tally / questions × 100 %, yes 1, partly 0.5, no 0, unanswered as nothing."""

from decimal import Decimal

from marketplace.specs import charts, scoring
from marketplace.specs.models import GROUPS


def _questions(groups: dict[str, int]) -> list[tuple[int, str]]:
    found, pk = [], 0
    for group, count in groups.items():
        for _ in range(count):
            pk += 1
            found.append((pk, group))
    return found


def test_yes_counts_one_partial_half_no_nothing_over_every_question():
    questions = _questions({"ecology": 4})
    score = scoring.score(questions, {1: "yes", 2: "partial", 3: "no", 4: "yes"}, groups=GROUPS)
    assert score.tally == Decimal("2.5")
    assert score.percent == Decimal("62.50")
    assert (score.answered, score.questions, score.complete) == (4, 4, True)


def test_unanswered_questions_count_as_nothing_and_the_score_stays_over_the_whole_set():
    questions = _questions({"ecology": 45})
    score = scoring.score(questions, dict.fromkeys(range(1, 31), "yes"), groups=GROUPS)
    assert (score.answered, score.questions, score.complete) == (30, 45, False)
    assert score.percent == Decimal("66.67")  # 30 / 45, not 30 / 30
    assert score.shown == Decimal("66.7")


def test_one_partial_in_a_45_question_set_rounds_to_one_decimal_half_up():
    questions = _questions({"ecology": 45})
    score = scoring.score(questions, {1: "partial"}, groups=GROUPS)
    assert score.percent == Decimal("1.11")  # 0.5 / 45 = 1.111 %
    assert score.shown == Decimal("1.1")
    assert scoring.shown(Decimal("82.25")) == Decimal("82.3")


def test_per_group_breakdown_in_the_metrics_order_skipping_groups_without_questions():
    questions = [(1, "ecology"), (2, "economic-significance"), (3, "ecology"), (4, "simplicity")]
    score = scoring.score(questions, {1: "yes", 2: "partial", 4: "no"}, groups=GROUPS)
    assert [(g.label, g.questions, g.answered, g.percent) for g in score.groups] == [
        ("Economic significance", 1, 1, Decimal("50.00")),
        ("Ecology", 2, 1, Decimal("50.00")),
        ("Simplicity", 1, 1, Decimal("0.00")),
    ]
    assert score.percent == Decimal("37.50")


def test_fifty_percent_is_high_relevance_just_below_is_not():
    questions = _questions({"ecology": 45})
    half = {**dict.fromkeys(range(1, 23), "yes"), 23: "partial"}  # 22.5 of 45
    assert scoring.score(questions, half, groups=GROUPS).percent == Decimal("50.00")
    assert scoring.score(questions, half, groups=GROUPS).high_relevance
    below = {**half, 23: "no"}  # 22 of 45: 48.9 %
    assert not scoring.score(questions, below, groups=GROUPS).high_relevance


def test_collaboration_needs_ninety_percent_and_open_hardware_and_software():
    assert scoring.qualifies_for_collaboration(Decimal("90"), hardware_open=True, software_open=True)
    assert scoring.qualifies_for_collaboration(Decimal("95"), hardware_open=True, software_open=None)  # no software
    assert not scoring.qualifies_for_collaboration(Decimal("89.99"), hardware_open=True, software_open=True)
    assert not scoring.qualifies_for_collaboration(Decimal("100"), hardware_open=False, software_open=True)
    assert not scoring.qualifies_for_collaboration(Decimal("100"), hardware_open=True, software_open=False)


def test_answers_to_questions_outside_the_set_and_unknown_values_are_ignored():
    questions = _questions({"ecology": 2})
    score = scoring.score(questions, {1: "yes", 2: "maybe", 99: "yes"}, groups=GROUPS)
    assert (score.answered, score.percent) == (1, Decimal("50.00"))


def test_an_empty_set_scores_zero_without_dividing_by_zero():
    assert scoring.score([], {}, groups=GROUPS).percent == Decimal("0.00")


def test_the_chart_draws_one_bar_per_group_its_width_the_groups_percentage():
    questions = [(1, "ecology"), (2, "ecology"), (3, "economic-feasibility")]
    chart = charts.group_chart(scoring.score(questions, {1: "yes", 2: "partial", 3: "yes"}, groups=GROUPS))
    assert [(bar.label, bar.width, bar.shown) for bar in chart.bars] == [
        ("Ecology", "75.00%", "75.0"),
        ("Feasibility, replicability", "100.00%", "100.0"),  # the short name fits a phone
    ]
    assert chart.bars[1].full_label == "Economic feasibility and replicability"
    assert chart.bars[1].bar_y > chart.bars[0].bar_y and chart.height > chart.bars[1].bar_y
