"""The Specifications Metric's score, a pure function over a question set and its answers (no database).

OSE's rule: the score is the tally over the number of questions × 100 %, a yes counting 1, a partial answer 0.5 and
a no 0. 50 % or more means "high relevance to OSE goals"; near 100 % (here 90 % or more) together with open hardware
and software licences, the design "qualifies for a deliberate effort of collaboration". A question nobody has
answered yet counts as nothing and the score stays over the whole set, so an unfinished questionnaire says so (n of
45 answered) rather than scoring high on the few answered.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

POINTS = {"yes": Decimal("1"), "partial": Decimal("0.5"), "no": Decimal("0")}
HIGH_RELEVANCE = Decimal("50")
COLLABORATION = Decimal("90")
HUNDRED = Decimal("100")
STORED = Decimal("0.01")  # the stored score: exact for 1 to 999 questions at half points, to the hundredth
SHOWN = Decimal("0.1")


@dataclass(frozen=True)
class GroupScore:
    group: str
    label: str
    questions: int
    answered: int
    tally: Decimal
    percent: Decimal  # to the hundredth

    @property
    def shown(self) -> Decimal:
        return shown(self.percent)


@dataclass(frozen=True)
class Score:
    questions: int
    answered: int
    tally: Decimal
    percent: Decimal  # to the hundredth, as stored
    groups: tuple[GroupScore, ...]

    @property
    def shown(self) -> Decimal:
        return shown(self.percent)

    @property
    def complete(self) -> bool:
        return self.answered == self.questions

    @property
    def high_relevance(self) -> bool:
        return is_high_relevance(self.percent)


def shown(percent: Decimal) -> Decimal:
    """A percentage as pages show it: one decimal place, halves rounded up (82.25 -> 82.3)."""
    return percent.quantize(SHOWN, rounding=ROUND_HALF_UP)


def _percent(tally: Decimal, questions: int) -> Decimal:
    if not questions:
        return Decimal("0.00")
    return (tally / questions * HUNDRED).quantize(STORED, rounding=ROUND_HALF_UP)


def score(questions: Iterable[tuple[int, str]], answers: Mapping[int, str], *, groups: Iterable[tuple] = ()) -> Score:
    """The score of ``answers`` (question id -> "yes" / "partial" / "no") over ``questions`` ((id, group), in the
    set's order); ``groups`` ((code, label) in order) names the groups and orders the breakdown. Answers to
    questions outside the set are ignored."""
    labels = dict(groups)
    order = list(labels)
    per_group: dict[str, list[Decimal | None]] = {}
    for question_id, group in questions:
        value = answers.get(question_id)
        per_group.setdefault(group, []).append(POINTS.get(value))
        if group not in labels:
            order.append(group)
            labels[group] = group
    breakdown = []
    for group in order:
        points = per_group.get(group)
        if not points:
            continue
        tally = sum((p for p in points if p is not None), Decimal("0"))
        answered = sum(1 for p in points if p is not None)
        breakdown.append(
            GroupScore(group, str(labels[group]), len(points), answered, tally, _percent(tally, len(points)))
        )
    total = sum((g.tally for g in breakdown), Decimal("0"))
    asked = sum(g.questions for g in breakdown)
    answered = sum(g.answered for g in breakdown)
    return Score(asked, answered, total, _percent(total, asked), tuple(breakdown))


def is_high_relevance(percent: Decimal) -> bool:
    return percent >= HIGH_RELEVANCE


def qualifies_for_collaboration(percent: Decimal, *, hardware_open: bool, software_open: bool | None) -> bool:
    """Near 100 % together with open hardware and software licences. ``software_open`` is None for a design
    without software: its hardware licence alone decides."""
    return percent >= COLLABORATION and hardware_open and software_open is not False
