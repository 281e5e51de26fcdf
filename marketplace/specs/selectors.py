"""Reads of the Specifications Metric: the version contributors answer, who may answer for a design, a design's
answers and its score with the per-group breakdown."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import Design
from certification.models import Contribution
from marketplace.specs import scoring
from marketplace.specs.models import GROUPS, Answer, DesignScore, Question, QuestionSet


def current_question_set() -> QuestionSet | None:
    """The newest version published on or before today: the one contributors answer."""
    return QuestionSet.objects.filter(published__lte=timezone.localdate()).order_by("-version").first()


def questions(question_set: QuestionSet) -> list[Question]:
    return list(question_set.questions.order_by("order", "pk"))


def may_answer(user, design: Design) -> bool:
    """The design's contributors (a contribution of theirs to it was accepted) and the shop's staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return Contribution.objects.filter(design=design, author=user, status=Contribution.ACCEPTED).exists()


def contribution_waiting(user, design: Design) -> bool:
    """Whether ``user`` has a contribution to the design a certifier has not decided yet (what to tell them)."""
    return (
        bool(user.is_authenticated)
        and Contribution.objects.filter(design=design, author=user, status=Contribution.PENDING).exists()
    )


def answers(design: Design, question_set: QuestionSet) -> dict[int, Answer]:
    """The design's answers to the version's questions, by question id."""
    rows = Answer.objects.filter(design=design, question__question_set=question_set)
    return {answer.question_id: answer for answer in rows}


def scored(question_set: QuestionSet, found: dict[int, Answer]) -> scoring.Score:
    return scoring.score(
        [(q.pk, q.group) for q in questions(question_set)],
        {question_id: answer.value for question_id, answer in found.items()},
        groups=GROUPS,
    )


@dataclass(frozen=True)
class Answerer:
    user: object
    last_answered: datetime
    count: int


@dataclass(frozen=True)
class DesignMetric:
    """What a design page shows of the metric."""

    current: QuestionSet | None  # the version contributors answer now
    stored: DesignScore | None  # the design's score, on the version it was last answered on (None: not scored yet)
    score: scoring.Score | None
    answerers: tuple[Answerer, ...]
    answers_by_group: tuple[tuple[str, list[tuple[Question, Answer | None]]], ...]
    qualifies_for_collaboration: bool

    @property
    def outdated(self) -> bool:
        """Scored on an older version than the one answered now."""
        return bool(self.stored and self.current and self.stored.question_set_id != self.current.pk)


def design_metric(design: Design) -> DesignMetric:
    """The design's metric for its page, in four queries whatever the number of questions and answerers."""
    current = current_question_set()
    stored = DesignScore.objects.select_related("question_set").filter(design=design).first()
    if stored is None:
        return DesignMetric(current, None, None, (), (), False)
    asked = questions(stored.question_set)
    found = {
        answer.question_id: answer
        for answer in Answer.objects.filter(design=design, question__question_set=stored.question_set).select_related(
            "answered_by__storefront"
        )
    }
    result = scoring.score(
        [(q.pk, q.group) for q in asked], {pk: answer.value for pk, answer in found.items()}, groups=GROUPS
    )
    people: dict[int, Answerer] = {}
    for answer in found.values():
        seen = people.get(answer.answered_by_id)
        latest = max(seen.last_answered, answer.answered_at) if seen else answer.answered_at
        people[answer.answered_by_id] = Answerer(answer.answered_by, latest, (seen.count if seen else 0) + 1)
    labels = dict(GROUPS)
    grouped: dict[str, list] = {}
    for question in asked:
        grouped.setdefault(question.group, []).append((question, found.get(question.pk)))
    by_group = tuple((str(labels.get(group, group)), rows) for group, rows in grouped.items())
    software = design.licence("software") is not None if design.software_licence else None
    qualifies = scoring.qualifies_for_collaboration(
        result.percent, hardware_open=design.licence("hardware") is not None, software_open=software
    )
    answerers = tuple(sorted(people.values(), key=lambda person: person.last_answered, reverse=True))
    return DesignMetric(current, stored, result, answerers, by_group, qualifies)


def scored_designs() -> QuerySet:
    """Every stored score, for staff lists."""
    return DesignScore.objects.select_related("design", "question_set")
