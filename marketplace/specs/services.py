"""Writes of the Specifications Metric: answers, the stored score, and a new version of the question set."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.models import Design
from marketplace.specs import selectors
from marketplace.specs.models import Answer, DesignScore, Question, QuestionSet


class SpecsError(Exception):
    """A refusal, in words a page can show."""


@transaction.atomic
def save_answers(*, design: Design, question_set: QuestionSet, by, answers: dict[int, tuple[str, str]]) -> int:
    """Record ``by``'s answers (question id -> (value, note); an empty value takes a previous answer back) to the
    version's questions for ``design``, and score the design again. Only the design's contributors and staff
    answer. An answer given again unchanged keeps who gave it and when. Returns how many answers changed."""
    if not selectors.may_answer(by, design):
        raise SpecsError(
            f"Only people whose contribution to {design.name} was accepted, and the shop's staff, answer its "
            "Specifications questionnaire."
        )
    Design.objects.select_for_update().filter(pk=design.pk).first()  # one submission at a time per design
    asked = set(question_set.questions.values_list("pk", flat=True))
    existing = selectors.answers(design, question_set)
    now = timezone.now()
    created, changed, removed = [], [], []
    for question_id, (value, note) in answers.items():
        if question_id not in asked:
            continue
        note = note.strip()
        answer = existing.get(question_id)
        if not value:
            if answer is not None:
                removed.append(answer.pk)
        elif answer is None:
            created.append(Answer(design=design, question_id=question_id, value=value, note=note, answered_by=by,
                                  answered_at=now))  # fmt: skip
        elif (answer.value, answer.note) != (value, note):
            answer.value, answer.note, answer.answered_by, answer.answered_at = value, note, by, now
            changed.append(answer)
    # written in bulk: the stored score's one save below retires the cached pages once, not once per answer
    Answer.objects.bulk_create(created)
    Answer.objects.bulk_update(changed, ["value", "note", "answered_by", "answered_at"])
    Answer.objects.filter(pk__in=removed).delete()
    if created or changed or removed:
        rescore(design=design)
    return len(created) + len(changed) + len(removed)


@transaction.atomic
def rescore(*, design: Design) -> DesignScore | None:
    """Store the design's score on the newest version it has answers to (none: not scored yet)."""
    latest = QuestionSet.objects.filter(questions__answers__design=design).order_by("-version").distinct().first()
    if latest is None:
        DesignScore.objects.filter(design=design).delete()
        return None
    result = selectors.scored(latest, selectors.answers(design, latest))
    stored, _ = DesignScore.objects.update_or_create(
        design=design,
        defaults={"question_set": latest, "score": result.percent, "answered": result.answered,
                  "questions": result.questions},
    )  # fmt: skip
    return stored


def rescore_version(*, question_set: QuestionSet) -> int:
    """Score again every design answered on ``question_set`` (staff added, removed or regrouped its questions)."""
    designs = Design.objects.filter(spec_answers__question__question_set=question_set).distinct()
    for design in designs:
        rescore(design=design)
    return designs.count()


@transaction.atomic
def new_version_from(*, question_set: QuestionSet) -> QuestionSet:
    """A draft copy of ``question_set``'s questions as the next version; its answers stay with the old one."""
    number = (QuestionSet.objects.aggregate(top=Max("version"))["top"] or 0) + 1  # unique: a race fails, not doubles
    copy = QuestionSet.objects.create(
        version=number, based_on=question_set, notes=f"Copied from v{question_set.version}."
    )
    Question.objects.bulk_create(
        Question(question_set=copy, group=q.group, code=q.code, text=q.text, order=q.order)
        for q in question_set.questions.all()
    )
    return copy
